"""The first consent text in the residents' other languages (the same text: the Japanese and English that guardians
agreed to are not touched). Before, a guardian reading Vietnamese or Dari was shown it in English."""

from django.db import migrations

TRANSLATIONS = {
    "ja-easy": (
        "JIIは、お子さんの 名前、年、学校、家で 話す ことば、日本語の レベル、アレルギーや 気を つける ことを、"
        "はなまるクラスの ため（クラスを きめる、れんらくする、安全に 活動する）だけに つかいます。チューターの "
        "ボランティアが 知るのは、たんとうする 日の 子どもの 下の 名前と 日本語の レベルだけです。ほかの じょうほうは "
        "JIIの コーディネーターだけが 見ます。いつでも やめられます。おねがいが あれば じょうほうを けします。"
    ),
    "zh-hans": (
        "JII只会将您孩子的姓名、年龄、学校、家庭语言、日语水平以及过敏或需要注意的事项用于开办Hanamaru班（分班、"
        "联系您、保障孩子的安全）。志愿辅导员只能看到他们所负责课次中孩子的名字和日语水平；其他信息只有JII的协调员"
        "能看到。您可以随时退出，只要您提出，我们就会删除这些信息。"
    ),
    "vi": (
        "JII chỉ dùng tên, tuổi, trường, ngôn ngữ ở nhà, trình độ tiếng Nhật và các dị ứng hay nhu cầu đặc biệt của "
        "con bạn để tổ chức lớp Hanamaru (xếp lớp, liên lạc với bạn, giữ an toàn cho trẻ). Tình nguyện viên dạy kèm "
        "chỉ thấy tên và trình độ tiếng Nhật của các em trong buổi học của họ; mọi thông tin khác chỉ điều phối viên "
        "của JII được xem. Bạn có thể rút lui bất cứ lúc nào, và chúng tôi xóa thông tin khi bạn yêu cầu."
    ),
    "ne": (
        "JII ले तपाईंको बच्चाको नाम, उमेर, विद्यालय, घरको भाषा, जापानी भाषाको स्तर र कुनै एलर्जी वा आवश्यकता "
        "हानामारु कक्षा चलाउन (कक्षामा राख्न, तपाईंलाई सम्पर्क गर्न, बच्चालाई सुरक्षित राख्न) मात्र प्रयोग गर्छ। "
        "स्वयंसेवक ट्युटरले आफ्नो कक्षाका बच्चाहरूको पहिलो नाम र जापानी स्तर मात्र देख्छन्; बाँकी सबै JII का "
        "संयोजकले मात्र देख्छन्। तपाईं जुनसुकै बेला छाड्न सक्नुहुन्छ, र तपाईंले भनेमा हामी जानकारी मेटाउँछौं।"
    ),
    "uk": (
        "JII використовує ім'я, вік, школу, домашні мови, рівень японської та алергії чи особливі потреби вашої "
        "дитини лише для проведення класів Ханамару (розподіл за класами, зв'язок із вами, безпека дітей). "
        "Волонтери-репетитори бачать лише імена та рівень японської дітей на своїх заняттях; усе інше бачать лише "
        "координатори JII. Ви можете будь-коли вийти з класу, і ми видалимо дані на ваше прохання."
    ),
    "fa-af": (
        "JII نام، سن، مکتب، زبان‌های خانه، سطح زبان جاپانی و هر حساسیت یا نیاز ویژه کودک شما را تنها برای پیش بردن "
        "صنف‌های هانامارو (گذاشتن در صنف، تماس با شما، حفظ امنیت کودکان) استفاده می‌کند. استادان رضاکار تنها نام "
        "کوچک و سطح جاپانی کودکانِ جلسه خود را می‌بینند؛ باقی معلومات را تنها هماهنگ‌کننده‌های JII می‌بینند. هر وقت "
        "بخواهید می‌توانید صنف را ترک کنید، و هر وقت بخواهید معلومات را پاک می‌کنیم."
    ),
}


def fill_in(apps, schema_editor):
    consent = apps.get_model("hanamaru", "ConsentText").objects.filter(version=1).first()
    if consent is not None:
        consent.text = {**TRANSLATIONS, **consent.text}  # what staff wrote wins
        consent.save(update_fields=["text"])


class Migration(migrations.Migration):
    dependencies = [("hanamaru", "0009_encrypt_texts")]

    operations = [migrations.RunPython(fill_in, migrations.RunPython.noop)]
