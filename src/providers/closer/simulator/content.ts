/**
 * The Korean text the CLOSER simulator speaks: three bots, their flows and the customer-service
 * dialogues that run through them. Kept apart from the generator so that the dialogue can be read
 * (and corrected by a Korean speaker) without reading any generation logic.
 *
 * Text may hold `{placeholders}`; the generator fills them per conversation from {@link ConversationVars}.
 */
import type { Platform } from './types.js';

/** One step of a scripted dialogue. `node` is the index of the flow node the step belongs to. */
export type Step =
  | { from: 'user' | 'bot'; node: number; text: readonly string[] }
  | { from: 'bot'; node: number; cards: readonly CardTemplate[]; text?: string }
  | { from: 'user'; node: number; photo: readonly string[] }
  | { from: 'bot'; node: number; location: { title: string; latitude: number; longitude: number } };

export interface CardTemplate {
  title: string;
  description?: string;
  image?: string;
  uri?: string;
  buttons?: readonly string[];
}

/** A flow of a bot with the dialogue that runs through it. */
export interface Topic {
  /** The flow's title, also the menu button the end user taps. */
  title: string;
  /** The flow's node titles, in order; node ids are `node-1`, `node-2`, … */
  nodes: readonly string[];
  steps: readonly Step[];
  /** What the end user tells an agent once connected. */
  agentIssue: readonly string[];
  /** What the agent answers. */
  agentAnswer: readonly string[];
  /** Tags an agent would put on such a conversation. */
  tags: readonly string[];
  /** Notes an agent would leave. */
  notes: readonly string[];
  /** Conversation variables (`params`) the flow collects, by variable name → placeholder. */
  params: Readonly<Record<string, string>>;
}

export interface BotSpec {
  title: string;
  description: string;
  /** Greeting shown above the menu card. */
  greeting: string;
  /** How many seeded conversations the bot has, of which `active` are still open. */
  conversations: number;
  active: number;
  topics: readonly Topic[];
  /** Values some placeholders draw from, specific to the bot's business. */
  vocabulary: Readonly<Record<string, readonly string[]>>;
}

/** The values a conversation fills its placeholders with. */
export type ConversationVars = Record<string, string>;

export const PLATFORM_WEIGHTS: ReadonlyArray<readonly [Platform, number]> = [
  ['kakao', 40],
  ['navertalk', 18],
  ['web', 20],
  ['kakaobiz', 6],
  ['line', 7],
  ['facebook', 5],
  ['bizchat', 2],
  ['wechat', 2],
];

export const SURNAMES = [
  '김',
  '이',
  '박',
  '최',
  '정',
  '강',
  '조',
  '윤',
  '장',
  '임',
  '한',
  '오',
  '서',
  '신',
  '권',
  '황',
  '안',
  '송',
  '전',
  '홍',
] as const;
export const GIVEN_NAMES = [
  '민준',
  '서준',
  '도윤',
  '예준',
  '시우',
  '하준',
  '주원',
  '지호',
  '지후',
  '준서',
  '서연',
  '서윤',
  '지우',
  '서현',
  '민서',
  '하은',
  '하윤',
  '윤서',
  '지유',
  '지민',
  '수빈',
  '현우',
  '지훈',
  '영희',
  '철수',
  '은지',
  '유진',
  '동현',
  '혜진',
  '성민',
] as const;

/** Cities with weights roughly following population; coordinates are the city centres. */
export const CITIES: ReadonlyArray<readonly [string, number]> = [
  ['서울', 30],
  ['부산', 9],
  ['인천', 8],
  ['대구', 6],
  ['대전', 4],
  ['광주', 4],
  ['수원', 5],
  ['성남', 4],
  ['고양', 4],
  ['용인', 4],
  ['울산', 3],
  ['창원', 3],
  ['청주', 2],
  ['전주', 2],
  ['제주', 2],
];

export const AGENT_NAMES = ['김지현', '박성호', '이수민', '최예린', '정우성', '한가영'] as const;

/** The default flow every bot starts a conversation in. */
export const WELCOME_FLOW = { title: '웰컴 시나리오', nodes: ['시작', '메뉴 안내', '마무리 인사'] } as const;
/** The flow a conversation moves to when the end user asks for a human. */
export const AGENT_FLOW = { title: '상담원 연결', nodes: ['연결 안내', '상담 대기'] } as const;

export const OPENINGS = [
  '안녕하세요',
  '문의할 게 있어요',
  '시작하기',
  '저기요',
  '상담 가능한가요?',
  '안녕하세요~ 질문이 있는데요',
  '문의드립니다',
] as const;
export const CLOSING_QUESTION = ['더 궁금하신 점이 있으신가요?', '다른 도움이 필요하신가요?'] as const;
export const CLOSING_USER = ['아니요 감사합니다', '없어요 수고하세요', '네 해결됐어요 감사해요', '괜찮습니다~', '감사합니다!'] as const;
export const CLOSING_BOT = ['이용해 주셔서 감사합니다. 좋은 하루 보내세요! 😊', '감사합니다. 언제든 다시 찾아 주세요.'] as const;
export const AGENT_REQUEST = [
  '상담원 연결해 주세요',
  '사람이랑 얘기하고 싶어요',
  '상담사 연결 부탁드려요',
  '상담원이요',
  '직원분 연결 가능한가요?',
] as const;
export const AGENT_REQUEST_BOT = [
  '상담원을 연결해 드릴게요. 잠시만 기다려 주세요. (상담 가능 시간: 평일 09:00~18:00)',
  '상담원 연결을 요청했습니다. 순서대로 연결되니 조금만 기다려 주세요.',
] as const;
export const AGENT_GREETING = [
  '안녕하세요, 상담원 {agent}입니다. 기다려 주셔서 감사합니다. 어떤 점이 불편하셨을까요?',
  '{name} 고객님 안녕하세요. {agent} 상담원입니다. 무엇을 도와드릴까요?',
] as const;
export const AGENT_USER_THANKS = ['네 감사합니다', '알겠습니다. 빠른 처리 부탁드려요', '네 확인했어요', '친절하게 답변해 주셔서 감사합니다'] as const;
export const AGENT_GOODBYE = [
  '더 궁금하신 점 있으시면 언제든 문의해 주세요. 좋은 하루 되세요!',
  '상담을 종료하겠습니다. 이용해 주셔서 감사합니다.',
] as const;
/** What an end user says later in a conversation the simulator keeps alive (live activity). */
export const FOLLOW_UPS = [
  '혹시 하나 더 여쭤봐도 될까요?',
  '그럼 언제쯤 확인 가능할까요?',
  '네 알겠습니다',
  '아 그렇군요',
  '감사합니다',
  '확인 부탁드려요',
  '혹시 주말에도 처리되나요?',
] as const;
export const BOT_FALLBACK = [
  '말씀하신 내용을 확인하고 있어요. 잠시만 기다려 주세요.',
  '죄송해요, 제가 이해하지 못했어요. 아래 메뉴에서 선택해 주시거나 "상담원"이라고 입력해 주세요.',
  '문의하신 내용은 담당 부서에 전달해 드렸어요.',
] as const;
export const AGENT_FOLLOW_UP = [
  '확인해 보니 처리가 완료되었습니다.',
  '네, 바로 확인해 드리겠습니다. 잠시만 기다려 주세요.',
  '담당 부서에 전달했고, 오늘 중으로 연락드리겠습니다.',
] as const;
export const WAITING_BOT = ['현재 상담원 연결 대기 중입니다. 조금만 더 기다려 주세요.'] as const;

const IMG = 'https://cdn.closer.example/bot-assets';
const UPLOAD = 'https://files.closer.example/uploads';

const SHOPPING: BotSpec = {
  title: '쇼핑몰 상담봇',
  description: '온라인 쇼핑몰의 주문 조회, 배송, 교환·반품, 환불 문의를 24시간 응대하는 챗봇',
  greeting: '안녕하세요, 하루마켓 고객센터 챗봇입니다 😊 무엇을 도와드릴까요?',
  conversations: 150,
  active: 14,
  vocabulary: {
    product: [
      '오버핏 린넨 셔츠',
      '무선 블루투스 이어폰',
      '스테인리스 텀블러 500ml',
      '기모 조거 팬츠',
      '캠핑 접이식 의자',
      '유기농 그래놀라 3팩',
      '가죽 크로스백',
      '차렵이불 퀸사이즈',
    ],
    amount: ['29,800원', '45,900원', '12,500원', '89,000원', '38,700원', '156,000원', '21,900원'],
    courier: ['CJ대한통운', '한진택배', '롯데택배', '우체국택배', '로젠택배'],
    hub: ['옥천HUB', '곤지암 메가허브', '대전 터미널', '배송지 인근 대리점', '군포 물류센터'],
  },
  topics: [
    {
      title: '주문 조회',
      nodes: ['주문번호 입력', '주문 내역 안내', '추가 문의'],
      params: { orderNumber: '{order}' },
      steps: [
        { from: 'bot', node: 0, text: ['주문 조회를 도와드릴게요. 주문번호를 입력해 주세요. (예: 20250114-0031872)'] },
        { from: 'user', node: 0, text: ['{order}', '주문번호 {order} 입니다', '{order} 이거요'] },
        {
          from: 'bot',
          node: 1,
          text: '{name}님의 주문 내역입니다.',
          cards: [
            {
              title: '{product}',
              description: '주문일 {pastDate} · 결제금액 {amount} · 상품 준비 중',
              image: `${IMG}/product.jpg`,
              buttons: ['배송 조회', '주문 취소'],
            },
          ],
        },
        { from: 'user', node: 1, text: ['언제쯤 출고되나요?', '결제는 제대로 된 거죠?', '옵션 변경 가능한가요? 색상을 바꾸고 싶어요'] },
        {
          from: 'bot',
          node: 2,
          text: [
            '상품은 영업일 기준 1~2일 내에 출고될 예정입니다. 출고되면 알림톡으로 송장번호를 보내드려요.',
            '결제는 정상적으로 완료되었습니다. 출고 전까지는 마이페이지에서 옵션 변경이 가능해요.',
          ],
        },
        { from: 'user', node: 2, text: ['네 알겠습니다', '빨리 받아보고 싶네요', '감사합니다'] },
      ],
      agentIssue: ['주문할 때 쿠폰을 못 썼는데 적용 가능할까요?', '같은 상품이 두 번 결제된 것 같아요', '주문을 취소하고 싶은데 버튼이 안 눌려요'],
      agentAnswer: [
        '확인해 보니 중복 결제 건이 있어 한 건은 바로 취소 처리해 드렸습니다. 카드사 반영까지 3~5영업일 걸립니다.',
        '출고 전이라 주문 취소 처리해 드렸습니다. 환불은 결제 수단으로 자동 진행됩니다.',
        '쿠폰 금액만큼 적립금으로 보상해 드렸습니다. 마이페이지에서 확인하실 수 있어요.',
      ],
      tags: ['주문문의', '중복결제', '주문취소', '쿠폰'],
      notes: ['중복 결제 1건 취소 처리 완료', '출고 전 주문 취소, 카드 환불 진행', '쿠폰 미적용분 적립금 3,000원 보상'],
    },
    {
      title: '배송 조회',
      nodes: ['주문번호 입력', '배송 상태 안내', '지연 안내'],
      params: { orderNumber: '{order}', trackingNumber: '{tracking}' },
      steps: [
        { from: 'bot', node: 0, text: ['배송 조회를 위해 주문번호를 알려주세요.'] },
        { from: 'user', node: 0, text: ['{order}', '주문번호는 {order}이에요'] },
        { from: 'bot', node: 1, text: ['{courier} 송장번호 {tracking}로 배송 중입니다. 현재 위치는 {hub}이고, 도착 예정일은 {date}입니다.'] },
        {
          from: 'user',
          node: 1,
          text: ['아직도 안 왔어요. 벌써 일주일째예요', '오늘 받을 수 있을까요?', '배송지 변경하고 싶은데요', '택배가 이동을 안 해요'],
        },
        {
          from: 'bot',
          node: 2,
          text: [
            '불편을 드려 죄송합니다. 택배사 물량 증가로 배송이 1~2일 지연되고 있어요.',
            '출고 후에는 배송지 변경이 어려워요. {courier} 고객센터(1588-1255)로 문의해 주세요.',
          ],
        },
        { from: 'user', node: 2, text: ['빨리 좀 부탁드려요', '알겠습니다 기다려볼게요', '너무 늦네요 ㅠㅠ'] },
      ],
      agentIssue: ['배송 완료로 나오는데 물건을 못 받았어요', '택배가 3일째 같은 곳에 있어요', '다른 사람 물건이 왔어요'],
      agentAnswer: [
        '택배사에 확인해 보니 경비실에 보관 중이라고 합니다. 확인 부탁드립니다.',
        '택배사에 긴급 배송을 요청했습니다. 내일까지 도착하지 않으면 재발송해 드리겠습니다.',
        '오배송 건은 회수 후 정상 상품을 재발송해 드리겠습니다. 불편을 드려 죄송합니다.',
      ],
      tags: ['배송지연', '오배송', '분실', '재발송'],
      notes: ['택배사 긴급 배송 요청, 내일 재확인', '오배송 회수 및 재발송 접수', '경비실 보관 확인 안내'],
    },
    {
      title: '교환·반품',
      nodes: ['사유 선택', '사진 첨부', '접수 완료'],
      params: { orderNumber: '{order}', returnReason: '{reason}' },
      steps: [
        {
          from: 'bot',
          node: 0,
          text: '교환·반품 사유를 선택해 주세요.',
          cards: [{ title: '교환·반품 신청', description: '수령 후 7일 이내 신청 가능합니다.', buttons: ['사이즈 교환', '상품 불량', '단순 변심'] }],
        },
        { from: 'user', node: 0, text: ['{reason}'] },
        { from: 'bot', node: 1, text: ['불편을 드려 죄송합니다. 상품 상태를 확인할 수 있도록 사진을 보내주세요.'] },
        { from: 'user', node: 1, photo: [`${UPLOAD}/return-1.jpg`, `${UPLOAD}/return-2.jpg`, `${UPLOAD}/damaged-box.jpg`] },
        { from: 'bot', node: 2, text: ['사진 확인했습니다. 접수가 완료되었어요. 택배 기사님이 {date}에 방문 회수할 예정입니다.'] },
        { from: 'user', node: 2, text: ['회수비는 제가 내야 하나요?', '교환 상품은 언제 받을 수 있어요?', '알겠습니다'] },
        { from: 'bot', node: 2, text: ['상품 불량의 경우 왕복 배송비는 저희가 부담합니다. 단순 변심은 왕복 배송비 6,000원이 차감돼요.'] },
      ],
      agentIssue: ['사진을 보냈는데 접수가 안 된 것 같아요', '회수 기사님이 안 오셨어요', '교환 말고 환불로 바꾸고 싶어요'],
      agentAnswer: [
        '확인해 보니 접수가 누락되어 제가 직접 접수해 드렸습니다. 내일 회수 예정입니다.',
        '회수 일정이 하루 밀렸습니다. 내일 오전 중 방문 예정이에요.',
        '환불로 변경해 드렸습니다. 상품 입고 후 2영업일 내 환불됩니다.',
      ],
      tags: ['교환', '반품', '상품불량', '회수지연'],
      notes: ['회수 접수 누락건 수동 접수', '교환 → 환불 변경 처리', '불량 사진 확인, 왕복 배송비 면제'],
    },
    {
      title: '환불 문의',
      nodes: ['주문 확인', '환불 안내', '접수 완료'],
      params: { orderNumber: '{order}', refundAmount: '{amount}' },
      steps: [
        { from: 'bot', node: 0, text: ['환불 문의를 도와드릴게요. 주문번호를 입력해 주세요.'] },
        { from: 'user', node: 0, text: ['{order}', '{order} 환불 언제 되나요?'] },
        {
          from: 'bot',
          node: 1,
          text: ['반품 상품이 {pastDate}에 입고되어 검수가 완료되었습니다. 환불 금액 {amount}은 카드사 사정에 따라 3~5영업일 내에 취소 처리됩니다.'],
        },
        { from: 'user', node: 1, text: ['카드 취소가 아직 안 됐는데요', '적립금으로 받을 수도 있나요?', '계좌로 받고 싶어요'] },
        {
          from: 'bot',
          node: 2,
          text: ['카드 취소 내역은 카드사 앱에서 먼저 확인하실 수 있어요. 5영업일이 지나도 취소되지 않으면 상담원에게 문의해 주세요.'],
        },
      ],
      agentIssue: ['환불이 일주일째 안 되고 있어요', '부분 환불 금액이 이상해요', '무통장 입금했는데 환불 계좌를 바꾸고 싶어요'],
      agentAnswer: [
        '확인 결과 카드사 전송이 지연되었습니다. 오늘 재전송했으니 2영업일 내 반영됩니다.',
        '쿠폰 할인분이 차감되어 부분 환불되었습니다. 상세 내역을 문자로 보내드렸어요.',
        '환불 계좌 변경해 드렸습니다. 내일 오후까지 입금될 예정입니다.',
      ],
      tags: ['환불요청', '환불지연', '부분환불'],
      notes: ['카드사 환불 재전송 완료', '부분 환불 사유(쿠폰 차감) 안내', '환불 계좌 변경 처리'],
    },
    {
      title: '쿠폰·적립금',
      nodes: ['혜택 안내', '사용 방법'],
      params: {},
      steps: [
        {
          from: 'bot',
          node: 0,
          cards: [
            {
              title: '신규회원 10% 할인 쿠폰',
              description: '첫 구매 시 최대 5,000원 할인',
              image: `${IMG}/coupon-new.png`,
              uri: 'https://shop.example/coupons',
              buttons: ['쿠폰 받기'],
            },
            { title: '리뷰 작성 적립금', description: '포토 리뷰 작성 시 500원 적립', image: `${IMG}/review.png`, buttons: ['리뷰 쓰러 가기'] },
          ],
        },
        { from: 'user', node: 0, text: ['쿠폰은 어디서 쓰나요?', '적립금 유효기간이 있나요?', '쿠폰이 안 보여요'] },
        {
          from: 'bot',
          node: 1,
          text: ['결제 단계에서 "쿠폰 적용"을 누르면 사용 가능한 쿠폰이 보여요. 적립금은 적립일로부터 1년간 사용할 수 있습니다.'],
        },
        { from: 'user', node: 1, text: ['아하 감사합니다', '네 찾았어요'] },
      ],
      agentIssue: ['생일 쿠폰이 안 들어왔어요', '적립금이 사라졌어요'],
      agentAnswer: ['생일 쿠폰을 수동으로 발급해 드렸습니다.', '유효기간 만료로 소멸된 적립금인데, 이번 한 번 재적립해 드렸어요.'],
      tags: ['쿠폰', '적립금'],
      notes: ['생일 쿠폰 수동 발급', '소멸 적립금 1회 재적립'],
    },
  ],
};

const HOSPITAL: BotSpec = {
  title: '병원 예약봇',
  description: '하나로병원의 진료 예약·변경, 진료 시간과 오시는 길을 안내하는 챗봇',
  greeting: '안녕하세요, 하나로병원 예약 도우미입니다. 원하시는 메뉴를 선택해 주세요.',
  conversations: 105,
  active: 10,
  vocabulary: {
    dept: ['내과', '정형외과', '소아청소년과', '피부과', '이비인후과', '안과'],
    doctor: ['김영수 원장', '이정민 과장', '박소연 과장', '최동훈 원장'],
    time: ['오전 9시 30분', '오전 11시', '오후 2시', '오후 3시 30분', '오후 5시'],
  },
  topics: [
    {
      title: '진료 예약',
      nodes: ['진료과 선택', '날짜 선택', '예약 확정'],
      params: { department: '{dept}', reservationDate: '{date} {time}' },
      steps: [
        {
          from: 'bot',
          node: 0,
          text: '진료과를 선택해 주세요.',
          cards: [{ title: '진료과 선택', description: '초진은 신분증을 지참해 주세요.', buttons: ['내과', '정형외과', '소아청소년과', '피부과'] }],
        },
        { from: 'user', node: 0, text: ['{dept}', '{dept} 예약하고 싶어요'] },
        { from: 'bot', node: 1, text: ['{dept} 예약 가능한 가장 빠른 시간은 {date} {time}입니다. 이 시간으로 예약할까요?'] },
        { from: 'user', node: 1, text: ['네 그 시간으로 해주세요', '토요일은 안 되나요?', '좀 더 늦은 시간은 없나요?'] },
        {
          from: 'bot',
          node: 2,
          text: ['{name}님, {date} {time} {dept} {doctor} 진료로 예약되었습니다. 방문 10분 전까지 1층 원무과에서 접수해 주세요.'],
        },
        { from: 'user', node: 2, text: ['감사합니다', '주차 되나요?', '공복으로 가야 하나요?'] },
        { from: 'bot', node: 2, text: ['건물 지하 주차장을 2시간 무료로 이용하실 수 있어요. 검사가 있는 경우 예약 문자로 별도 안내드립니다.'] },
      ],
      agentIssue: ['실손보험 서류도 같이 받을 수 있나요?', '아이가 열이 나는데 오늘 바로 진료 가능할까요?', '예약 문자가 안 왔어요'],
      agentAnswer: [
        '진료 후 원무과에서 진료비 영수증과 세부내역서를 발급해 드립니다.',
        '오늘 오후 4시에 소아청소년과 당일 진료가 가능해서 예약해 드렸습니다.',
        '휴대폰 번호가 잘못 등록되어 있어 수정하고 문자를 다시 보내드렸어요.',
      ],
      tags: ['신규예약', '당일진료', '서류발급'],
      notes: ['당일 진료 예약 처리', '휴대폰 번호 수정 후 예약 문자 재발송', '보험 서류 발급 안내'],
    },
    {
      title: '예약 변경·취소',
      nodes: ['본인 확인', '예약 선택', '변경 완료'],
      params: { department: '{dept}', phoneLast4: '{phoneTail}' },
      steps: [
        { from: 'bot', node: 0, text: ['본인 확인을 위해 휴대폰 번호 뒤 4자리를 입력해 주세요.'] },
        { from: 'user', node: 0, text: ['{phoneTail}'] },
        { from: 'bot', node: 1, text: ['{date} {time} {dept} 예약이 확인됩니다. 변경하실까요, 취소하실까요?'] },
        { from: 'user', node: 1, text: ['다음 주로 변경하고 싶어요', '취소해 주세요', '시간만 조금 늦출 수 있을까요?'] },
        {
          from: 'bot',
          node: 2,
          text: ['요청하신 대로 처리되었습니다. 변경된 예약 내역은 문자로 보내드렸어요.', '예약이 취소되었습니다. 다음에 다시 예약해 주세요.'],
        },
      ],
      agentIssue: ['본인 확인이 계속 실패해요', '가족 예약을 대신 변경하고 싶어요'],
      agentAnswer: ['등록된 번호가 예전 번호였네요. 새 번호로 변경 후 예약 변경해 드렸습니다.', '보호자 확인 후 예약을 변경해 드렸습니다.'],
      tags: ['예약변경', '예약취소', '본인확인'],
      notes: ['등록 전화번호 갱신', '보호자 요청으로 예약 변경'],
    },
    {
      title: '진료 시간 안내',
      nodes: ['진료 시간', '휴진 안내'],
      params: {},
      steps: [
        {
          from: 'bot',
          node: 0,
          text: ['평일 오전 9시~오후 6시, 토요일 오전 9시~오후 1시 진료합니다. 점심시간은 오후 1시~2시이며 일요일·공휴일은 휴진입니다.'],
        },
        { from: 'user', node: 0, text: ['점심시간에도 접수 되나요?', '다음 주 월요일 공휴일에도 하나요?', '야간 진료는 없나요?'] },
        { from: 'bot', node: 1, text: ['점심시간에는 접수가 마감됩니다. 공휴일 진료 여부는 홈페이지 공지사항에서 확인해 주세요.'] },
      ],
      agentIssue: ['명절 연휴에 문 여는 날이 있나요?'],
      agentAnswer: ['연휴 중 둘째 날 오전에 응급 진료만 운영합니다.'],
      tags: ['진료시간'],
      notes: ['명절 진료 일정 안내'],
    },
    {
      title: '오시는 길',
      nodes: ['위치 안내', '주차 안내'],
      params: {},
      steps: [
        { from: 'bot', node: 0, location: { title: '하나로병원 본관', latitude: 37.5662, longitude: 126.9779 } },
        { from: 'bot', node: 0, text: ['지하철 2호선 시청역 4번 출구에서 도보 5분 거리입니다.'] },
        { from: 'user', node: 1, text: ['주차장은 어디로 들어가요?', '버스 타고 가면 어디서 내려요?'] },
        { from: 'bot', node: 1, text: ['주차장 입구는 병원 뒤편 세종대로 방향에 있어요. 진료 시 2시간 무료입니다.'] },
      ],
      agentIssue: ['휠체어로 갈 수 있는 입구가 있나요?'],
      agentAnswer: ['본관 정문 오른쪽 경사로를 이용하시면 됩니다. 도착하시면 안내 직원이 도와드릴게요.'],
      tags: ['위치문의'],
      notes: ['휠체어 이용 고객 안내'],
    },
    {
      title: '검사 결과 문의',
      nodes: ['본인 확인', '결과 안내'],
      params: { department: '{dept}' },
      steps: [
        { from: 'bot', node: 0, text: ['검사 결과는 개인정보 보호를 위해 본인 확인 후 안내됩니다. 휴대폰 번호 뒤 4자리를 입력해 주세요.'] },
        { from: 'user', node: 0, text: ['{phoneTail}'] },
        { from: 'bot', node: 1, text: ['{pastDate}에 받으신 검사 결과가 나왔습니다. 자세한 설명은 담당 의료진과의 진료에서 들으실 수 있어요.'] },
        { from: 'user', node: 1, text: ['결과지를 받아볼 수 있나요?', '결과가 괜찮은 건가요?'] },
      ],
      agentIssue: ['결과지를 이메일로 받고 싶어요', '재검사가 필요하다는데 예약해 주세요'],
      agentAnswer: ['결과지는 방문 발급만 가능합니다. 신분증 지참 후 원무과로 오시면 됩니다.', '재검사를 다음 주 화요일 오전으로 예약해 드렸습니다.'],
      tags: ['검사결과', '재검사'],
      notes: ['재검사 예약 완료', '결과지 방문 발급 안내'],
    },
  ],
};

const TELECOM: BotSpec = {
  title: '통신사 고객센터봇',
  description: '한빛텔레콤 요금 조회, 요금제 변경, 인터넷 장애 접수, 분실 신고를 돕는 고객센터 챗봇',
  greeting: '안녕하세요, 한빛텔레콤 고객센터입니다. 무엇을 도와드릴까요?',
  conversations: 115,
  active: 12,
  vocabulary: {
    plan: ['5G 슬림 요금제', '5G 프리미어 요금제', 'LTE 데이터 안심 요금제', '5G 청년 요금제', '시니어 알뜰 요금제'],
    fee: ['55,000원', '69,000원', '89,000원', '43,000원', '33,000원'],
    symptom: ['인터넷이 자꾸 끊겨요', '와이파이가 안 잡혀요', 'IPTV 화면이 안 나와요', '인터넷 속도가 너무 느려요'],
  },
  topics: [
    {
      title: '요금 조회',
      nodes: ['본인 인증', '요금 안내'],
      params: { phoneLast4: '{phoneTail}' },
      steps: [
        { from: 'bot', node: 0, text: ['요금 조회를 위해 휴대폰 번호 뒤 4자리를 입력해 주세요.'] },
        { from: 'user', node: 0, text: ['{phoneTail}'] },
        { from: 'bot', node: 1, text: ['{name}님의 이번 달 청구 요금은 {fee}입니다. 납부일은 매월 25일이며 자동이체로 납부됩니다.'] },
        { from: 'user', node: 1, text: ['지난달보다 왜 많이 나왔죠?', '소액결제 내역도 볼 수 있나요?', '네 확인했습니다'] },
        {
          from: 'bot',
          node: 1,
          text: ['데이터 추가 충전 3,300원과 부가서비스 요금이 포함되었습니다. 상세 내역은 앱의 "요금 > 청구서"에서 확인하실 수 있어요.'],
        },
      ],
      agentIssue: ['가입한 적 없는 부가서비스 요금이 나와요', '이중으로 출금된 것 같아요'],
      agentAnswer: [
        '해당 부가서비스를 해지하고 지난 두 달 요금을 환급 처리해 드렸습니다.',
        '확인 결과 이중 출금이 맞아 다음 달 요금에서 차감해 드리겠습니다.',
      ],
      tags: ['요금문의', '부가서비스', '환급'],
      notes: ['부가서비스 해지 및 2개월 환급', '이중 출금 확인, 익월 차감'],
    },
    {
      title: '요금제 변경',
      nodes: ['요금제 추천', '변경 확인', '변경 완료'],
      params: { plan: '{plan}' },
      steps: [
        {
          from: 'bot',
          node: 0,
          text: '고객님의 사용 패턴에 맞는 요금제를 추천해 드려요.',
          cards: [
            { title: '5G 슬림 요금제', description: '월 55,000원 · 데이터 10GB', buttons: ['이 요금제로 변경'] },
            { title: '5G 프리미어 요금제', description: '월 89,000원 · 데이터 무제한', buttons: ['이 요금제로 변경'] },
          ],
        },
        { from: 'user', node: 0, text: ['{plan}으로 바꾸고 싶어요', '제일 싼 요금제가 뭐예요?'] },
        { from: 'bot', node: 1, text: ['{plan}(월 {fee})으로 변경하시겠어요? 변경은 다음 달 1일부터 적용됩니다.'] },
        { from: 'user', node: 1, text: ['네 변경해 주세요', '약정 위약금은 없나요?'] },
        { from: 'bot', node: 2, text: ['요금제 변경 신청이 완료되었습니다. 변경 완료 시 문자로 안내드릴게요.'] },
      ],
      agentIssue: ['가족 결합 할인은 유지되나요?', '변경했는데 아직 예전 요금제로 나와요'],
      agentAnswer: ['가족 결합 할인은 그대로 유지됩니다.', '다음 달 1일부터 적용되는 예약 변경 상태입니다. 정상 처리되었어요.'],
      tags: ['요금제변경', '결합할인'],
      notes: ['결합 할인 유지 확인', '예약 변경 상태 안내'],
    },
    {
      title: '인터넷 장애 접수',
      nodes: ['증상 선택', '자가 점검 안내', '기사 방문 예약'],
      params: { symptom: '{symptom}', visitDate: '{date}' },
      steps: [
        { from: 'bot', node: 0, text: ['어떤 증상이 있으신가요?'] },
        { from: 'user', node: 0, text: ['{symptom}'] },
        { from: 'bot', node: 1, text: ['공유기 전원을 뽑았다가 10초 후 다시 연결해 보시겠어요? 대부분 재부팅으로 해결됩니다.'] },
        { from: 'user', node: 1, text: ['해봤는데 그래도 안 돼요', '아 이제 되네요'] },
        { from: 'user', node: 1, photo: [`${UPLOAD}/router-led.jpg`, `${UPLOAD}/speedtest.png`] },
        { from: 'bot', node: 2, text: ['불편을 드려 죄송합니다. {date} 오전에 기사님 방문을 예약해 드렸어요. 방문 전 연락드립니다.'] },
        { from: 'user', node: 2, text: ['더 빨리는 안 되나요?', '알겠습니다'] },
      ],
      agentIssue: ['재택근무 중이라 오늘 꼭 고쳐야 해요', '한 달에 세 번째 장애예요. 보상 되나요?'],
      agentAnswer: ['오늘 오후 긴급 방문으로 일정 조정해 드렸습니다.', '장애 이력 확인 후 이번 달 인터넷 요금 50%를 감면해 드렸습니다.'],
      tags: ['장애접수', '기사방문', '요금감면'],
      notes: ['긴급 방문 배정', '반복 장애로 요금 50% 감면'],
    },
    {
      title: '분실·정지 신고',
      nodes: ['본인 확인', '정지 처리'],
      params: { phoneLast4: '{phoneTail}' },
      steps: [
        { from: 'user', node: 0, text: ['휴대폰을 잃어버렸어요', '폰 분실했어요 정지해 주세요'] },
        { from: 'bot', node: 0, text: ['걱정이 많으시겠어요. 본인 확인을 위해 생년월일 6자리와 휴대폰 번호 뒤 4자리를 입력해 주세요.'] },
        { from: 'user', node: 0, text: ['{birth} {phoneTail}'] },
        { from: 'bot', node: 1, text: ['분실 정지 처리가 완료되었습니다. 기기를 찾으시면 가까운 대리점이나 앱에서 정지를 해제하실 수 있어요.'] },
        { from: 'bot', node: 1, location: { title: '한빛텔레콤 광화문 직영점', latitude: 37.5709, longitude: 126.9769 } },
      ],
      agentIssue: ['분실 보험 청구하고 싶어요', '임대폰 받을 수 있나요?'],
      agentAnswer: [
        '보험 청구 서류를 문자로 보내드렸습니다. 서류 제출 후 3영업일 내 처리됩니다.',
        '가까운 직영점에서 임대폰을 받으실 수 있게 예약해 드렸습니다.',
      ],
      tags: ['분실신고', '보험청구'],
      notes: ['분실 정지 후 보험 청구 안내', '임대폰 예약'],
    },
    {
      title: '해지 문의',
      nodes: ['해지 안내'],
      params: {},
      steps: [
        { from: 'bot', node: 0, text: ['해지 전 남은 약정과 위약금을 확인해 주세요. 위약금 조회는 앱의 "가입 정보"에서 가능합니다.'] },
        { from: 'user', node: 0, text: ['위약금이 얼마나 나와요?', '해지하려면 어떻게 해야 돼요?'] },
      ],
      agentIssue: ['이사 가는데 인터넷 해지하고 싶어요', '다른 통신사로 옮기려고요'],
      agentAnswer: [
        '이사 지역에서도 서비스가 가능해 이전 설치로 안내드렸습니다. 위약금 없이 옮기실 수 있어요.',
        '해지 방어 혜택으로 3개월 요금 할인을 안내드렸습니다.',
      ],
      tags: ['해지문의', '이전설치', '해지방어'],
      notes: ['이전 설치 접수', '해지 방어: 3개월 할인 제안'],
    },
  ],
};

export const BOT_SPECS: readonly BotSpec[] = [SHOPPING, HOSPITAL, TELECOM];

/** Choices the shopping bot offers for a return; used for `{reason}`. */
export const RETURN_REASONS = ['사이즈 교환', '상품 불량', '단순 변심'] as const;
