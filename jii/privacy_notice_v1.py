"""The first version of JII's privacy notice, in every language of the site, as jii/migrations/0013 publishes
it. Not edited: later versions are written in the admin."""

TEXT = {
    "ja": (
        "特定非営利活動法人 Japan Intercultural Intelligence（JII、東京都目黒区下目黒5-27-5）は、このサイトで"
        "お預かりする個人情報を責任をもって管理します。\n\n"
        "あなたの情報を見るのは、プログラムを運営するJIIのコーディネーターです。ボランティアがあなたのお名前と"
        "連絡先を知るのは、あなたへの支援を引き受けた後だけで、その支援のためだけです。くらしの相談の内容は、JIIの"
        "相談担当者と、担当する専門家（弁護士・行政書士・社会福祉士など）だけが見ます。法令にもとづく場合を除き、"
        "あなたの情報を売ったり、ほかの人に渡したりすることはありません。\n\n"
        "職員は二段階認証でログインし、特に慎重に扱うべき内容は暗号化して保存し、すべての変更を記録しています。\n\n"
        "ご質問や、ご自分の情報についてのご依頼は info@j-ii.org へどうぞ。"
    ),
    "en": (
        "Japan Intercultural Intelligence (JII), a non-profit organisation at 5-27-5 Shimomeguro, Meguro-ku, Tokyo, "
        "is responsible for the personal information you give us on this website.\n\n"
        "Your information is seen by JII's coordinators, who run the programs. A volunteer learns your name and how "
        "to reach you only after agreeing to help you, and only for that help. What you tell us in a consultation is "
        "seen only by JII's consultation staff and the partner expert who takes your case (for example a lawyer, an "
        "administrative scrivener or a social worker). We never sell your information or give it to anyone else, "
        "unless the law requires it.\n\n"
        "Our staff sign in with a second step, the most sensitive words are stored encrypted, and every change is "
        "recorded.\n\n"
        "Questions, or a request about your information: info@j-ii.org."
    ),
    "ja-easy": (
        "JII（ジェイ・アイ・アイ）は 東京都目黒区下目黒5-27-5 に ある NPO です。この サイトで あなたが 書いた "
        "じょうほうを、JIIが 大切に まもります。\n\n"
        "あなたの じょうほうを 見るのは、JIIの コーディネーター（たんとうの 人）です。ボランティアが あなたの "
        "名前と れんらくさきを 知るのは、あなたを 手伝うと きめた あとだけです。そうだんの ないようは、JIIの "
        "そうだんの たんとうと、せんもんかだけが 見ます。あなたの じょうほうを 売ったり、ほかの 人に わたしたり "
        "しません。\n\n"
        "しつもんや、あなたの じょうほうに ついての おねがいは info@j-ii.org に メールして ください。"
    ),
    "zh-hans": (
        "Japan Intercultural Intelligence（JII，非营利组织，地址：东京都目黑区下目黑5-27-5）负责管理您在本网站提供的"
        "个人信息。\n\n"
        "您的信息由负责各项目的JII协调员查看。志愿者只有在同意帮助您之后，才能得知您的姓名和联系方式，并且只用于这次"
        "帮助。咨询内容只有JII的咨询负责人和接手您案件的合作专家（例如律师、行政书士或社会工作者）可以查看。除法律要求"
        "外，我们绝不出售您的信息，也不会提供给任何其他人。\n\n"
        "我们的工作人员登录时需要两步验证，最敏感的内容加密保存，每一次修改都有记录。\n\n"
        "如有疑问，或想就您的信息提出请求，请联系 info@j-ii.org。"
    ),
    "vi": (
        "Japan Intercultural Intelligence (JII), tổ chức phi lợi nhuận tại 5-27-5 Shimomeguro, Meguro-ku, Tokyo, "
        "chịu trách nhiệm về thông tin cá nhân bạn cung cấp trên trang web này.\n\n"
        "Thông tin của bạn được các điều phối viên của JII xem để điều hành chương trình. Tình nguyện viên chỉ biết "
        "tên và cách liên lạc với bạn sau khi đồng ý giúp bạn, và chỉ dùng cho việc giúp đỡ đó. Nội dung tư vấn chỉ "
        "nhân viên tư vấn của JII và chuyên gia đối tác nhận hồ sơ của bạn (ví dụ luật sư, chuyên viên thủ tục hành "
        "chính hoặc nhân viên công tác xã hội) được xem. Chúng tôi không bao giờ bán hay đưa thông tin của bạn cho "
        "người khác, trừ khi pháp luật yêu cầu.\n\n"
        "Nhân viên của chúng tôi đăng nhập bằng hai bước, những nội dung nhạy cảm nhất được mã hóa khi lưu, và mọi "
        "thay đổi đều được ghi lại.\n\n"
        "Câu hỏi hoặc yêu cầu về thông tin của bạn: info@j-ii.org."
    ),
    "ne": (
        "Japan Intercultural Intelligence (JII), 5-27-5 Shimomeguro, Meguro-ku, Tokyo मा रहेको गैरनाफामूलक संस्था, "
        "यो वेबसाइटमा तपाईंले दिनुभएको व्यक्तिगत जानकारीको जिम्मेवार छ।\n\n"
        "तपाईंको जानकारी कार्यक्रम चलाउने JII का संयोजकहरूले हेर्छन्। स्वयंसेवकले तपाईंलाई मद्दत गर्न स्वीकार गरेपछि "
        "मात्र तपाईंको नाम र सम्पर्क थाहा पाउँछन्, र त्यो मद्दतका लागि मात्र। परामर्शमा भनेका कुरा JII का परामर्श "
        "कर्मचारी र तपाईंको केस लिने साझेदार विशेषज्ञ (जस्तै वकिल, प्रशासनिक लेखक वा सामाजिक कार्यकर्ता) ले मात्र "
        "हेर्छन्। कानुनले नमागेसम्म हामी तपाईंको जानकारी कहिल्यै बेच्दैनौं वा अरू कसैलाई दिँदैनौं।\n\n"
        "हाम्रा कर्मचारी दुई चरणमा लग इन गर्छन्, सबैभन्दा संवेदनशील कुरा इन्क्रिप्ट गरेर राखिन्छ, र हरेक परिवर्तन "
        "रेकर्ड हुन्छ।\n\n"
        "प्रश्न वा तपाईंको जानकारीबारे अनुरोध: info@j-ii.org।"
    ),
    "uk": (
        "Japan Intercultural Intelligence (JII), неприбуткова організація за адресою 5-27-5 Shimomeguro, "
        "Meguro-ku, Tokyo, відповідає за персональні дані, які ви надаєте на цьому сайті.\n\n"
        "Ваші дані бачать координатори JII, які ведуть програми. Волонтер дізнається ваше ім'я та контакти лише "
        "після того, як погодився вам допомогти, і лише для цієї допомоги. Те, що ви розповідаєте на консультації, "
        "бачать лише консультанти JII та експерт-партнер, який бере вашу справу (наприклад, юрист, адміністративний "
        "консультант або соціальний працівник). Ми ніколи не продаємо ваші дані й нікому їх не передаємо, якщо цього "
        "не вимагає закон.\n\n"
        "Наші працівники входять у систему з другим кроком перевірки, найчутливіші відомості зберігаються "
        "зашифрованими, а кожна зміна записується.\n\n"
        "Питання або запит щодо ваших даних: info@j-ii.org."
    ),
    "fa-af": (
        "Japan Intercultural Intelligence (JII)، یک نهاد غیرانتفاعی به آدرس 5-27-5 Shimomeguro, Meguro-ku, Tokyo، "
        "مسئول معلومات شخصی است که شما در این ویب‌سایت به ما می‌دهید.\n\n"
        "معلومات شما را هماهنگ‌کننده‌های JII که برنامه‌ها را پیش می‌برند می‌بینند. یک رضاکار تنها بعد از این که "
        "قبول کند به شما کمک کند، نام و راه تماس شما را می‌داند، و تنها برای همان کمک. آنچه در مشوره می‌گویید را تنها "
        "کارمندان مشوره JII و متخصص همکاری که قضیه شما را می‌گیرد (مثلاً وکیل، کارشناس امور اداری یا مددکار اجتماعی) "
        "می‌بینند. ما هرگز معلومات شما را نمی‌فروشیم و به کسی دیگر نمی‌دهیم، مگر این که قانون بخواهد.\n\n"
        "کارمندان ما با یک مرحله دوم وارد سیستم می‌شوند، حساس‌ترین نوشته‌ها رمزگذاری‌شده نگهداری می‌شوند، و هر "
        "تغییر ثبت می‌شود.\n\n"
        "سوال یا درخواست درباره معلومات تان: info@j-ii.org."
    ),
}
