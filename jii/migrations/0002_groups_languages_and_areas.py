"""Coordinator groups (their permissions are synced after each migrate, see jii/groups.py), the languages JII's
residents and volunteers most often speak, and the areas JII serves.

Area positions are approximate centres (city or ward offices, from public maps), good to about a kilometre:
matching only needs "same area", "neighbouring" and rough distances. Coordinators add areas in the admin."""

from django.db import migrations

GROUPS = ["coordinators", "consultation staff", "donations staff"]

LANGUAGES = [
    ("ja", "日本語", "Japanese"),
    ("en", "英語", "English"),
    ("zh", "中国語", "Chinese"),
    ("ko", "韓国語", "Korean"),
    ("vi", "ベトナム語", "Vietnamese"),
    ("ne", "ネパール語", "Nepali"),
    ("tl", "タガログ語", "Tagalog"),
    ("pt", "ポルトガル語", "Portuguese"),
    ("es", "スペイン語", "Spanish"),
    ("id", "インドネシア語", "Indonesian"),
    ("my", "ミャンマー語", "Burmese"),
    ("uk", "ウクライナ語", "Ukrainian"),
    ("ru", "ロシア語", "Russian"),
    ("fa", "ダリー語・ペルシャ語", "Dari / Persian"),
    ("fr", "フランス語", "French"),
    ("ar", "アラビア語", "Arabic"),
]


# code, prefecture, name_ja, name_en, latitude, longitude
AREAS = [
    ("tokyo-chiyoda", "tokyo", "千代田区", "Chiyoda", 35.694, 139.754),
    ("tokyo-chuo", "tokyo", "中央区", "Chuo", 35.671, 139.772),
    ("tokyo-minato", "tokyo", "港区", "Minato", 35.658, 139.752),
    ("tokyo-shinjuku", "tokyo", "新宿区", "Shinjuku", 35.694, 139.703),
    ("tokyo-bunkyo", "tokyo", "文京区", "Bunkyo", 35.708, 139.752),
    ("tokyo-taito", "tokyo", "台東区", "Taito", 35.713, 139.780),
    ("tokyo-sumida", "tokyo", "墨田区", "Sumida", 35.711, 139.801),
    ("tokyo-koto", "tokyo", "江東区", "Koto", 35.673, 139.817),
    ("tokyo-shinagawa", "tokyo", "品川区", "Shinagawa", 35.609, 139.730),
    ("tokyo-meguro", "tokyo", "目黒区", "Meguro", 35.641, 139.698),
    ("tokyo-ota", "tokyo", "大田区", "Ota", 35.561, 139.716),
    ("tokyo-setagaya", "tokyo", "世田谷区", "Setagaya", 35.646, 139.653),
    ("tokyo-shibuya", "tokyo", "渋谷区", "Shibuya", 35.664, 139.698),
    ("tokyo-nakano", "tokyo", "中野区", "Nakano", 35.708, 139.664),
    ("tokyo-suginami", "tokyo", "杉並区", "Suginami", 35.699, 139.636),
    ("tokyo-toshima", "tokyo", "豊島区", "Toshima", 35.726, 139.717),
    ("tokyo-kita", "tokyo", "北区", "Kita", 35.753, 139.734),
    ("tokyo-arakawa", "tokyo", "荒川区", "Arakawa", 35.736, 139.783),
    ("tokyo-itabashi", "tokyo", "板橋区", "Itabashi", 35.751, 139.709),
    ("tokyo-nerima", "tokyo", "練馬区", "Nerima", 35.736, 139.652),
    ("tokyo-adachi", "tokyo", "足立区", "Adachi", 35.775, 139.805),
    ("tokyo-katsushika", "tokyo", "葛飾区", "Katsushika", 35.743, 139.847),
    ("tokyo-edogawa", "tokyo", "江戸川区", "Edogawa", 35.707, 139.868),
    ("tokyo-hachioji", "tokyo", "八王子市", "Hachioji", 35.666, 139.316),
    ("tokyo-tachikawa", "tokyo", "立川市", "Tachikawa", 35.714, 139.408),
    ("tokyo-musashino", "tokyo", "武蔵野市", "Musashino", 35.718, 139.566),
    ("tokyo-mitaka", "tokyo", "三鷹市", "Mitaka", 35.684, 139.560),
    ("tokyo-fuchu", "tokyo", "府中市", "Fuchu", 35.669, 139.478),
    ("tokyo-chofu", "tokyo", "調布市", "Chofu", 35.651, 139.541),
    ("tokyo-machida", "tokyo", "町田市", "Machida", 35.548, 139.439),
    ("tokyo-koganei", "tokyo", "小金井市", "Koganei", 35.700, 139.503),
    ("tokyo-nishitokyo", "tokyo", "西東京市", "Nishitokyo", 35.726, 139.539),
    ("kanagawa-yokohama-naka", "kanagawa", "横浜市中区", "Yokohama Naka", 35.444, 139.638),
    ("kanagawa-yokohama-nishi", "kanagawa", "横浜市西区", "Yokohama Nishi", 35.454, 139.617),
    ("kanagawa-yokohama-kanagawa", "kanagawa", "横浜市神奈川区", "Yokohama Kanagawa", 35.477, 139.630),
    ("kanagawa-yokohama-tsurumi", "kanagawa", "横浜市鶴見区", "Yokohama Tsurumi", 35.508, 139.682),
    ("kanagawa-yokohama-kohoku", "kanagawa", "横浜市港北区", "Yokohama Kohoku", 35.519, 139.633),
    ("kanagawa-yokohama-aoba", "kanagawa", "横浜市青葉区", "Yokohama Aoba", 35.553, 139.537),
    ("kanagawa-yokohama-totsuka", "kanagawa", "横浜市戸塚区", "Yokohama Totsuka", 35.398, 139.534),
    ("kanagawa-kawasaki-kawasaki", "kanagawa", "川崎市川崎区", "Kawasaki Kawasaki", 35.531, 139.703),
    ("kanagawa-kawasaki-nakahara", "kanagawa", "川崎市中原区", "Kawasaki Nakahara", 35.576, 139.659),
    ("kanagawa-kawasaki-takatsu", "kanagawa", "川崎市高津区", "Kawasaki Takatsu", 35.599, 139.616),
    ("kanagawa-kawasaki-miyamae", "kanagawa", "川崎市宮前区", "Kawasaki Miyamae", 35.586, 139.582),
    ("kanagawa-sagamihara", "kanagawa", "相模原市", "Sagamihara", 35.571, 139.373),
    ("kanagawa-fujisawa", "kanagawa", "藤沢市", "Fujisawa", 35.339, 139.490),
    ("kanagawa-yokosuka", "kanagawa", "横須賀市", "Yokosuka", 35.281, 139.672),
    ("kanagawa-atsugi", "kanagawa", "厚木市", "Atsugi", 35.443, 139.362),
    ("kanagawa-yamato", "kanagawa", "大和市", "Yamato", 35.487, 139.458),
    ("chiba-chiba-chuo", "chiba", "千葉市中央区", "Chiba Chuo", 35.607, 140.106),
    ("chiba-chiba-mihama", "chiba", "千葉市美浜区", "Chiba Mihama", 35.640, 140.063),
    ("chiba-chiba-hanamigawa", "chiba", "千葉市花見川区", "Chiba Hanamigawa", 35.663, 140.072),
    ("chiba-funabashi", "chiba", "船橋市", "Funabashi", 35.695, 139.983),
    ("chiba-ichikawa", "chiba", "市川市", "Ichikawa", 35.722, 139.931),
    ("chiba-matsudo", "chiba", "松戸市", "Matsudo", 35.788, 139.903),
    ("chiba-kashiwa", "chiba", "柏市", "Kashiwa", 35.868, 139.976),
    ("chiba-urayasu", "chiba", "浦安市", "Urayasu", 35.653, 139.902),
    ("chiba-narashino", "chiba", "習志野市", "Narashino", 35.681, 140.027),
    ("chiba-yachiyo", "chiba", "八千代市", "Yachiyo", 35.722, 140.100),
    ("chiba-narita", "chiba", "成田市", "Narita", 35.777, 140.318),
    ("saitama-saitama-urawa", "saitama", "さいたま市浦和区", "Saitama Urawa", 35.861, 139.646),
    ("saitama-saitama-omiya", "saitama", "さいたま市大宮区", "Saitama Omiya", 35.906, 139.624),
    ("saitama-saitama-minami", "saitama", "さいたま市南区", "Saitama Minami", 35.845, 139.645),
    ("saitama-kawaguchi", "saitama", "川口市", "Kawaguchi", 35.808, 139.724),
    ("saitama-warabi", "saitama", "蕨市", "Warabi", 35.826, 139.680),
    ("saitama-toda", "saitama", "戸田市", "Toda", 35.818, 139.678),
    ("saitama-wako", "saitama", "和光市", "Wako", 35.781, 139.606),
    ("saitama-tokorozawa", "saitama", "所沢市", "Tokorozawa", 35.799, 139.469),
    ("saitama-kawagoe", "saitama", "川越市", "Kawagoe", 35.925, 139.486),
    ("saitama-koshigaya", "saitama", "越谷市", "Koshigaya", 35.891, 139.791),
    ("saitama-soka", "saitama", "草加市", "Soka", 35.825, 139.806),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Language = apps.get_model("jii", "Language")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    for code, name_ja, name_en in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name_ja": name_ja, "name_en": name_en})
    Area = apps.get_model("jii", "Area")
    for code, prefecture, name_ja, name_en, latitude, longitude in AREAS:
        Area.objects.update_or_create(
            code=code,
            defaults={
                "prefecture": prefecture,
                "name_ja": name_ja,
                "name_en": name_en,
                "latitude": latitude,
                "longitude": longitude,
            },
        )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("jii", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
