"""The fixed wording of the request letter, in each language a letter can be written in.

A letter's language is chosen for the letter (the requested state's), not by the language of
the person drafting it, so its wording is kept here rather than in the interface's translation
catalogue. The DOCX templates (built by `scripts/build_letter_templates.py`) and the PDF
template (`drafting/letter.html`) both take their text from here, so the two formats read alike.
"""

WORDING: dict[str, dict[str, str]] = {
    "en": {
        "title_mla": "Request for mutual legal assistance in criminal matters",
        "title_extradition": "Request for extradition",
        "notes_heading": "Notes for transmission (not part of the request)",
        "notes_country": "Requested state",
        "notes_channel": "Channel of transmission",
        "notes_language": "Language of translation",
        "notes_in_force": "Legal basis in force between the two states",
        "notes_warning": "Check before sending",
        "to": "To",
        "our_reference": "Our reference",
        "date": "Date",
        "domestic_case": "Domestic criminal case",
        "version": "Version of the draft",
        "intro_mla": (
            "The requesting authority named below presents its compliments and requests "
            "the assistance described in this letter in a criminal matter."
        ),
        "intro_extradition": (
            "The requesting authority named below presents its compliments and requests the "
            "extradition of the person or persons named in this letter."
        ),
        "authority": "1. Requesting authority",
        "contact": "Responsible officer",
        "phone": "Telephone",
        "email": "Email",
        "legal_basis": "2. Legal basis",
        "proceedings": "3. Nature of the investigation or proceedings",
        "facts": "4. Summary of facts",
        "offences": "5. Offences and the text of the legal provisions",
        "offence_category": "Category of offence",
        "assistance": "6. Assistance sought",
        "relevance": "Why the assistance is needed",
        "extradition_sought": "6. Extradition sought",
        "purpose": "Purpose",
        "further_requests": "Further requests",
        "persons_mla": "7. Persons concerned",
        "persons_extradition": "7. Persons sought",
        "full_name": "Full name",
        "born_on": "Date of birth",
        "nationality": "Nationality",
        "identification": "Identification",
        "procedures": "8. Procedures to follow",
        "confidentiality": "9. Confidentiality",
        "urgency": "10. Time limits and urgency",
        "priority": "Priority",
        "limitation_on": "The limitation period for the offence runs out on",
        "closing": (
            "The requesting authority thanks the competent authorities of the requested state "
            "for their assistance and assures them of its readiness to assist them in turn."
        ),
        "none": "—",
    },
    "ru": {
        "title_mla": "Запрос о правовой помощи по уголовному делу",
        "title_extradition": "Запрос о выдаче (экстрадиции)",
        "notes_heading": "Сведения для направления (не являются частью запроса)",
        "notes_country": "Запрашиваемое государство",
        "notes_channel": "Порядок направления",
        "notes_language": "Язык перевода",
        "notes_in_force": "Действующее между государствами правовое основание",
        "notes_warning": "Проверить перед направлением",
        "to": "Кому",
        "our_reference": "Наш номер",
        "date": "Дата",
        "domestic_case": "Уголовное дело",
        "version": "Версия проекта",
        "intro_mla": (
            "Запрашивающий орган, указанный ниже, свидетельствует своё уважение и просит "
            "оказать правовую помощь по уголовному делу, описанную в настоящем запросе."
        ),
        "intro_extradition": (
            "Запрашивающий орган, указанный ниже, свидетельствует своё уважение и просит "
            "выдать лицо (лиц), указанное в настоящем запросе."
        ),
        "authority": "1. Запрашивающий орган",
        "contact": "Ответственное должностное лицо",
        "phone": "Телефон",
        "email": "Электронная почта",
        "legal_basis": "2. Правовое основание",
        "proceedings": "3. Характер расследования (производства)",
        "facts": "4. Изложение фактических обстоятельств",
        "offences": "5. Квалификация деяния и текст уголовного закона",
        "offence_category": "Категория преступления",
        "assistance": "6. Запрашиваемая помощь",
        "relevance": "Обоснование необходимости",
        "extradition_sought": "6. Просьба о выдаче",
        "purpose": "Цель выдачи",
        "further_requests": "Иные просьбы",
        "persons_mla": "7. Сведения о лицах",
        "persons_extradition": "7. Сведения о разыскиваемых лицах",
        "full_name": "Фамилия, имя, отчество",
        "born_on": "Дата рождения",
        "nationality": "Гражданство",
        "identification": "Данные, позволяющие установить личность",
        "procedures": "8. Порядок исполнения",
        "confidentiality": "9. Конфиденциальность",
        "urgency": "10. Сроки и срочность",
        "priority": "Срочность",
        "limitation_on": "Срок давности уголовного преследования истекает",
        "closing": (
            "Запрашивающий орган выражает признательность компетентным органам запрашиваемого "
            "государства за содействие и заверяет в готовности оказать им помощь на основе "
            "взаимности."
        ),
        "none": "—",
    },
}

# Names of the choices the letter prints, in the letter's language.
PURPOSES = {
    "en": {"prosecution": "criminal prosecution", "sentence": "execution of a sentence"},
    "ru": {"prosecution": "уголовное преследование", "sentence": "исполнение приговора"},
}
PRIORITIES = {
    "en": {"urgent": "urgent", "high": "high", "normal": "normal"},
    "ru": {"urgent": "срочно", "high": "высокая", "normal": "обычная"},
}
CHANNELS = {
    "en": {
        "central_authority": "between central authorities",
        "diplomatic": "through diplomatic channels",
        "direct": "directly between judicial authorities",
        "": "not known: ask the central authority",
    },
    "ru": {
        "central_authority": "через центральные органы",
        "diplomatic": "по дипломатическим каналам",
        "direct": "непосредственно между судебными органами",
        "": "не известен: уточните в центральном органе",
    },
}
