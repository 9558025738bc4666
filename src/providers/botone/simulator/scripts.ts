/**
 * The three seeded bots and the flows they run, in Russian as a Bot.one customer would build them.
 * The seed and the live activity both walk these flows, so a conversation created at start-up and
 * one created by live traffic look alike.
 */
import type { Rng } from '../../../simulators/common/rng.js';
import type { FileKind } from './files.js';

/** The respondent behind a conversation; answers stay consistent with it (name, phone, city). */
export interface Persona {
  firstName: string;
  lastName: string;
  patronymic: string;
  /** Latin form of the first name, for e-mail addresses. */
  latin: string;
  phone: string;
  email: string;
  /** The city in Russian, used in street addresses. */
  cityRu: string;
}

export interface AnswerContext {
  rng: Rng;
  persona: Persona;
  /** Epoch ms of the answer, for answers that are dates ("в ближайшие дни"). */
  at: number;
}

export interface ScriptStep {
  /** The bot's message: what Bot.one stores as `question`. */
  question: string;
  /** The variable the answer is saved to, or null (the `variable` field). */
  variable: string | null;
  /** The respondent's answer. Buttons answer as `@<label>`, the way the vendor example shows (`"@Webhook"`). */
  answer: (ctx: AnswerContext) => string;
  /** An upload step: the answer is a file URL instead of text. */
  file?: FileKind;
  /** The chance the flow branches past this step. @default 0 */
  skip?: number;
}

export interface BotScript {
  id: number;
  name: string;
  steps: ScriptStep[];
  /** The bot's last message of a completed conversation; it gets no answer. */
  farewell: string;
  /** What the respondent writes to an operator, and what the operator writes back, in turns. */
  operatorTurns: Array<[operator: string, respondent: string]>;
}

const button =
  (...labels: string[]) =>
  (ctx: AnswerContext) =>
    `@${ctx.rng.pick(labels)}`;
const oneOf =
  (...texts: string[]) =>
  (ctx: AnswerContext) =>
    ctx.rng.pick(texts);
const pad = (n: number) => String(n).padStart(2, '0');
const ruDate = (ms: number) => {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
};

const STREETS = [
  'ул. Ленина',
  'ул. Мира',
  'ул. Советская',
  'ул. Пушкина',
  'Комсомольский пр-т',
  'ул. Гагарина',
  'ул. Садовая',
  'ул. Луначарского',
  'ш. Космонавтов',
  'ул. Куйбышева',
];

export const BOTS: BotScript[] = [
  {
    id: 1446,
    name: 'Доставка «Быстрый курьер»',
    steps: [
      {
        question: 'Здравствуйте! Я бот службы доставки «Быстрый курьер». Чем могу помочь?',
        variable: null,
        answer: button('Отследить заказ', 'Оформить доставку', 'Изменить адрес доставки', 'Вернуть товар'),
      },
      {
        question: 'Введите, пожалуйста, номер заказа',
        variable: 'order_number',
        answer: ({ rng }) => `${rng.pick(['RU', 'BK', 'MS'])}-${rng.int(100000, 999999)}`,
      },
      { question: 'Заказ найден. Как к вам обращаться?', variable: 'name', answer: ({ persona }) => persona.firstName },
      {
        question: 'Укажите адрес доставки: город, улица, дом, квартира',
        variable: 'address',
        answer: ({ rng, persona }) => `г. ${persona.cityRu}, ${rng.pick(STREETS)}, д. ${rng.int(1, 120)}, кв. ${rng.int(1, 240)}`,
      },
      {
        question: 'Выберите удобный интервал доставки',
        variable: 'delivery_slot',
        answer: button('09:00–13:00', '13:00–17:00', '17:00–21:00'),
      },
      {
        question: 'Позвонить вам перед приездом курьера?',
        variable: 'call_before',
        answer: button('Да, позвоните за час', 'Нет, не нужно'),
        skip: 0.2,
      },
      { question: 'Оставьте номер телефона для связи', variable: 'phone', answer: ({ persona }) => persona.phone },
      {
        question: 'Если есть фото накладной или повреждённой упаковки, прикрепите его',
        variable: 'photo',
        answer: () => '',
        file: 'png',
        skip: 0.55,
      },
      {
        question: 'Есть ли комментарий для курьера?',
        variable: 'comment',
        answer: oneOf(
          'Домофон не работает, позвоните',
          'Оставьте у двери',
          'Подъезд со двора',
          'Нет',
          'Код домофона 45К1290',
          'После 18:00, пожалуйста',
          'Осторожно, злая собака',
        ),
      },
      {
        question: 'Оцените, пожалуйста, работу бота от 1 до 5',
        variable: 'rating',
        answer: ({ rng }) =>
          rng.weighted([
            ['5', 6],
            ['4', 3],
            ['3', 1],
            ['2', 1],
            ['1', 1],
          ]),
      },
    ],
    farewell: 'Спасибо! Курьер свяжется с вами за час до доставки. Хорошего дня!',
    operatorTurns: [
      ['Здравствуйте! Меня зовут Анна, я оператор службы доставки. Чем могу помочь?', 'Курьер не приехал в назначенное время'],
      ['Приношу извинения. Уточняю информацию у службы доставки, это займёт пару минут.', 'Хорошо, жду'],
      ['Курьер задерживается из-за пробок и будет у вас в течение часа.', 'Спасибо!'],
      ['Могу ещё чем-то помочь?', 'Нет, всё понятно'],
    ],
  },
  {
    id: 1447,
    name: 'Запись к врачу — клиника «Здоровье»',
    steps: [
      {
        question: 'Добрый день! Это бот клиники «Здоровье». Что вы хотите сделать?',
        variable: null,
        answer: button('Записаться к врачу', 'Перенести запись', 'Отменить запись'),
      },
      {
        question: 'К какому специалисту вы хотите записаться?',
        variable: 'doctor',
        answer: button('Терапевт', 'Стоматолог', 'Педиатр', 'Невролог', 'Кардиолог', 'Офтальмолог', 'Гинеколог'),
      },
      {
        question: 'Выберите удобную дату приёма',
        variable: 'visit_date',
        answer: ({ rng, at }) => ruDate(at + rng.int(1, 14) * 86_400_000),
      },
      { question: 'Выберите время', variable: 'visit_time', answer: button('09:30', '11:00', '14:15', '16:40', '18:00') },
      {
        question: 'Введите ваши фамилию, имя и отчество',
        variable: 'full_name',
        answer: ({ persona }) => `${persona.lastName} ${persona.firstName} ${persona.patronymic}`,
      },
      {
        question: 'Укажите дату рождения в формате ДД.ММ.ГГГГ',
        variable: 'birth_date',
        answer: ({ rng }) => `${pad(rng.int(1, 28))}.${pad(rng.int(1, 12))}.${rng.int(1950, 2005)}`,
      },
      {
        question: 'Номер полиса ОМС (16 цифр)',
        variable: 'oms_policy',
        answer: ({ rng }) => `${rng.int(1000, 9999)}${rng.int(1000, 9999)}${rng.int(1000, 9999)}${rng.int(1000, 9999)}`,
        skip: 0.2,
      },
      { question: 'Если у вас есть направление, загрузите его файлом', variable: 'referral', answer: () => '', file: 'pdf', skip: 0.5 },
      {
        question: 'Опишите кратко, что вас беспокоит',
        variable: 'complaint',
        answer: oneOf(
          'Болит горло и температура 37,8',
          'Плановый осмотр',
          'Болит зуб справа снизу',
          'Головные боли по утрам',
          'Нужна справка для бассейна',
          'Скачет давление',
          'Ухудшилось зрение',
          'Ребёнок кашляет третий день',
        ),
      },
      { question: 'Телефон для подтверждения записи', variable: 'phone', answer: ({ persona }) => persona.phone },
      { question: 'Подтверждаете запись?', variable: 'confirmed', answer: button('Да, подтверждаю', 'Да') },
    ],
    farewell: 'Вы записаны! Мы пришлём напоминание за день до приёма.',
    operatorTurns: [
      ['Здравствуйте, администратор клиники Ольга на связи. Подскажите, какой у вас вопрос?', 'Не могу выбрать время, все слоты заняты'],
      ['Сейчас посмотрю расписание врача. Есть окно завтра в 12:30, подойдёт?', 'Да, подойдёт'],
      ['Записала вас. Возьмите, пожалуйста, паспорт и полис.', 'Спасибо большое'],
      ['Будем ждать вас! Хорошего дня.', 'До свидания'],
    ],
  },
  {
    id: 1448,
    name: 'Опрос удовлетворённости клиентов',
    steps: [
      {
        question: 'Здравствуйте! Ответьте, пожалуйста, на несколько вопросов о нашем сервисе — это займёт 2 минуты. Начнём?',
        variable: null,
        answer: button('Начать опрос', 'Да'),
      },
      {
        question: 'Насколько вероятно, что вы порекомендуете нас друзьям? Оцените от 0 до 10',
        variable: 'nps',
        answer: ({ rng }) =>
          String(
            rng.weighted([
              [10, 5],
              [9, 5],
              [8, 4],
              [7, 3],
              [6, 2],
              [5, 1],
              [3, 1],
              [0, 1],
            ]),
          ),
      },
      {
        question: 'Как давно вы пользуетесь нашими услугами?',
        variable: 'tenure',
        answer: button('Меньше месяца', 'От месяца до года', 'Больше года'),
      },
      {
        question: 'Что вам понравилось больше всего?',
        variable: 'liked',
        answer: oneOf(
          'Быстрая доставка',
          'Вежливые сотрудники',
          'Удобное приложение',
          'Цены ниже, чем у конкурентов',
          'Всё понравилось',
          'Большой выбор товаров',
        ),
      },
      {
        question: 'Что нам стоит улучшить?',
        variable: 'improve',
        answer: oneOf(
          'Долго отвечает поддержка',
          'Добавьте оплату при получении',
          'Ничего, всё отлично',
          'Сделайте больше пунктов выдачи',
          'Сайт медленно грузится с телефона',
          'Упаковка иногда мятая',
        ),
      },
      {
        question: 'Как вы оцениваете скорость ответа службы поддержки?',
        variable: 'support_speed',
        answer: button('Быстро', 'Нормально', 'Медленно'),
      },
      { question: 'Если что-то пошло не так, приложите скриншот или описание', variable: 'attachment', answer: () => '', file: 'txt', skip: 0.6 },
      { question: 'Укажите ваш возраст', variable: 'age_group', answer: button('18–24', '25–34', '35–44', '45–54', '55+') },
      { question: 'Оставьте e-mail, чтобы получить промокод на скидку 10%', variable: 'email', answer: ({ persona }) => persona.email, skip: 0.3 },
      {
        question: 'Хотите добавить что-нибудь ещё?',
        variable: 'extra',
        answer: oneOf('Нет', 'Спасибо, что спросили', 'Продолжайте в том же духе!', 'Верните старый дизайн'),
      },
    ],
    farewell: 'Спасибо за участие в опросе! Промокод придёт на указанную почту.',
    operatorTurns: [
      ['Здравствуйте! Я Максим из отдела заботы о клиентах. Видим, что у вас возникла проблема — расскажите подробнее?', 'Заказ пришёл не полностью'],
      ['Очень жаль. Подскажите номер заказа, пожалуйста.', 'MS-204518'],
      ['Спасибо. Оформил досылку недостающего товара и начислил 300 бонусов.', 'Отлично, спасибо'],
      ['Рад помочь! Если что-то ещё понадобится — пишите.', 'Хорошо'],
    ],
  },
];

export function botScript(botId: number): BotScript | undefined {
  return BOTS.find((b) => b.id === botId);
}

/** How a respondent asks for a human; the conversation then goes to the operator state. */
export const OPERATOR_REQUESTS = [
  'Позовите оператора',
  'Хочу поговорить с живым человеком',
  'Оператор!',
  'Можно связаться с менеджером?',
  'Бот меня не понимает, нужен оператор',
];

/** The bot's line when it hands a conversation over. */
export const HANDOFF_MESSAGE = 'Перевожу на оператора. Пожалуйста, подождите, вам ответят в течение нескольких минут.';

export interface City {
  /** GeoIP city name, as the vendor example shows (`"Perm"`, `"Meppel"`). */
  en: string;
  ru: string;
  /** The first two octets of IPs from this city. */
  net: [number, number];
  weight: number;
}

export const CITIES: City[] = [
  { en: 'Moscow', ru: 'Москва', net: [95, 165], weight: 9 },
  { en: 'Perm', ru: 'Пермь', net: [92, 255], weight: 6 },
  { en: 'Saint Petersburg', ru: 'Санкт-Петербург', net: [178, 70], weight: 6 },
  { en: 'Yekaterinburg', ru: 'Екатеринбург', net: [188, 226], weight: 3 },
  { en: 'Kazan', ru: 'Казань', net: [91, 122], weight: 2 },
  { en: 'Novosibirsk', ru: 'Новосибирск', net: [46, 146], weight: 2 },
  { en: 'Nizhny Novgorod', ru: 'Нижний Новгород', net: [85, 26], weight: 2 },
  { en: 'Krasnodar', ru: 'Краснодар', net: [109, 195], weight: 2 },
  { en: 'Samara', ru: 'Самара', net: [94, 25], weight: 1 },
  { en: 'Meppel', ru: 'Меппел', net: [37, 1], weight: 1 },
  { en: 'Minsk', ru: 'Минск', net: [178, 120], weight: 1 },
  { en: 'Almaty', ru: 'Алматы', net: [2, 134], weight: 1 },
  // GeoIP could not place the address; the vendor's own list shows "#344 Unknown".
  { en: 'Unknown', ru: 'Пермь', net: [10, 8], weight: 2 },
];

/** Where conversations start. `api` is kept for conversations created through the API. */
export const SOURCES: Array<[string, number]> = [
  ['web', 6],
  ['telegram', 5],
  ['vk', 2],
  ['whatsapp', 2],
  ['viber', 1],
];

const FEMALE: ReadonlyArray<readonly [string, string]> = [
  ['Мария', 'Maria'],
  ['Анна', 'Anna'],
  ['Елена', 'Elena'],
  ['Ольга', 'Olga'],
  ['Дарья', 'Darya'],
  ['Наталья', 'Natalya'],
  ['Ирина', 'Irina'],
  ['Светлана', 'Svetlana'],
  ['Ксения', 'Ksenia'],
  ['Татьяна', 'Tatyana'],
];
const MALE: ReadonlyArray<readonly [string, string]> = [
  ['Александр', 'Alexander'],
  ['Дмитрий', 'Dmitry'],
  ['Сергей', 'Sergey'],
  ['Андрей', 'Andrey'],
  ['Алексей', 'Alexey'],
  ['Михаил', 'Mikhail'],
  ['Иван', 'Ivan'],
  ['Николай', 'Nikolay'],
  ['Павел', 'Pavel'],
  ['Артём', 'Artem'],
];
const SURNAMES = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Лебедев',
  'Козлов',
];
const PATRONYMICS_M = ['Александрович', 'Сергеевич', 'Игоревич', 'Владимирович', 'Петрович', 'Андреевич'];
const PATRONYMICS_F = ['Александровна', 'Сергеевна', 'Игоревна', 'Владимировна', 'Петровна', 'Андреевна'];

export function makePersona(rng: Rng, city: City): Persona {
  const female = rng.chance(0.55);
  const [firstName, latin] = rng.pick(female ? FEMALE : MALE);
  const surname = rng.pick(SURNAMES);
  const phone = `+7 9${rng.int(10, 99)} ${rng.int(100, 999)}-${pad(rng.int(0, 99))}-${pad(rng.int(0, 99))}`;
  return {
    firstName,
    lastName: female ? `${surname}а` : surname,
    patronymic: rng.pick(female ? PATRONYMICS_F : PATRONYMICS_M),
    latin,
    phone,
    email: `${latin.toLowerCase()}.${rng.int(10, 9999)}@${rng.pick(['mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru'])}`,
    cityRu: city.ru,
  };
}

/** The text content of an uploaded `.txt` file, and the page lines of an uploaded referral PDF. */
export function txtContent(persona: Persona, rng: Rng): string {
  return [
    `Описание проблемы от ${persona.firstName} ${persona.lastName}`,
    '',
    rng.pick([
      'При оформлении заказа страница оплаты зависла, деньги списались дважды.',
      'В приложении не отображается история заказов после обновления.',
      'Промокод из рассылки не применяется к корзине.',
      'Курьер привёз заказ без двух позиций из списка.',
    ]),
    `Телефон для связи: ${persona.phone}`,
    '',
  ].join('\n');
}

export function pdfLines(persona: Persona, rng: Rng, fileId: number): string[] {
  return [
    `Klinika "Zdorovye" - napravlenie No ${fileId}`,
    `Patient: ${persona.latin} (${persona.email})`,
    `Specialist: ${rng.pick(['therapist', 'cardiologist', 'neurologist', 'ophthalmologist'])}`,
    `Diagnosis code: ${rng.pick(['J06.9', 'I10', 'G44.2', 'H52.1', 'Z00.0'])}`,
  ];
}
