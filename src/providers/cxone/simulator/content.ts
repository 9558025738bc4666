/**
 * What the seeded bots say and hear. Three domains (IT helpdesk, retail banking, travel), written as
 * small scripted topics so that every generated conversation reads like a real exchange: the user
 * opens a topic, the bot asks one or two questions, the user answers, the bot resolves it.
 *
 * In user lines, `[value](entity)` marks an entity; the seed strips the markup and reports the span in
 * `parse_data.entities`, as Rasa's DIETClassifier would.
 */

export interface BotLine {
  text: string;
  /** Rendered as `data.custom.payload.quick_replies` with `/intent` payloads. */
  quickReplies?: ReadonlyArray<readonly [title: string, payload: string]>;
  /** Rendered as `data.custom.payload.buttons`. */
  buttons?: ReadonlyArray<readonly [title: string, payload: string]>;
}

export interface TopicStep {
  /** What the user may answer (one is picked). */
  user: readonly string[];
  /** The NLU intent of that answer. */
  intent: string;
  /** The bot's reply to it. */
  bot: BotLine;
}

export interface Topic {
  /** The intent of the opener; also the topic's journey node. */
  intent: string;
  /** A human label for "Are you talking about …?". */
  label: string;
  tag: string;
  openers: readonly string[];
  /** The bot's answer to the opener. */
  first: BotLine;
  steps: readonly TopicStep[];
  /** A Rasa form the topic runs (`active_loop` events), if any. */
  form?: string;
  /** An `action_<base64>` of this type runs before the last reply (a backend lookup). */
  lookup?: string;
}

export interface Domain {
  /** The display name of the bot; used in goodbyes. */
  brand: string;
  intents: readonly string[];
  greetingBot: BotLine;
  topics: readonly Topic[];
  /** Lines the NLU will not understand; they trigger `ask_affirmation`. */
  unclear: readonly string[];
  notes: readonly string[];
  /** A slot the domain sets from entities, besides `last customer message`. */
  slot: string;
}

export const GREETINGS = ['Hi', 'Hello', 'Hey there', 'Good morning', 'Hi!', 'Hello, anyone there?', 'Good afternoon'] as const;
export const THANKS = ['Thanks!', 'Thank you so much', 'Great, thanks', 'Perfect, thank you', 'ok thanks', 'That worked, thanks!'] as const;
export const GOODBYES = ["No, that's all", 'No thanks, bye', "That's everything, bye", 'Nope, all good', 'No. Have a nice day'] as const;
export const AGREE = ['Yes', 'Yes please', 'yes', 'Correct', 'Yep'] as const;
export const HANDOFF = [
  'Can I talk to a real person?',
  'I want to speak to an agent',
  'agent please',
  'This is not helping, connect me to a human',
  'Can you transfer me to someone?',
  'operator',
] as const;
export const WAITING = ['ok', 'Thanks, I will wait', 'How long will it take?', 'Still waiting...', 'Hello?'] as const;

const anythingElse: BotLine = {
  text: 'You are welcome! Is there anything else I can help with?',
  quickReplies: [
    ['Yes', '/agree'],
    ['No', '/goodbyes'],
  ],
};
export const ANYTHING_ELSE = anythingElse;
export const HANDOVER_BOT: readonly string[] = [
  'Let me connect you with one of our agents. Please stay in this chat, someone will be with you shortly.',
  'I am transferring you to a live agent now. The average wait time is about 3 minutes.',
  'Sure, I have passed this conversation to our support team. An agent will reply here.',
];

export const DOMAINS: readonly Domain[] = [
  {
    brand: 'the IT Service Desk',
    slot: 'office',
    intents: [
      'greetings',
      'Password_reset',
      'account_trouble',
      'vpn_issue',
      'printer_issue',
      'new_laptop',
      'software_request',
      'relief',
      'thanks',
      'agree',
      'disagree',
      'goodbyes',
      'human_handoff',
    ],
    greetingBot: {
      text: 'Hi, what can I help with?',
      buttons: [
        ['Reset my password', '/Password_reset'],
        ['VPN problems', '/vpn_issue'],
        ['Something else', '/other'],
      ],
    },
    unclear: ['the thing is broken again', 'I have a problem', 'help', 'my stuff does not work since Monday', 'same as yesterday'],
    notes: [
      'User was called back by the desk.',
      'Duplicate of INC0042711.',
      'Escalated to the network team.',
      'Check if the KB article on VPN is outdated.',
    ],
    topics: [
      {
        intent: 'Password_reset',
        label: 'a password reset',
        tag: 'password',
        openers: [
          'I forgot my password',
          'I need to reset my password',
          "My password expired and I can't log in",
          'How do I change my Windows password?',
        ],
        first: {
          text: 'I can help with that. Is this for your Windows login or for your email?',
          quickReplies: [
            ['Windows login', '/inform'],
            ['Email', '/inform'],
          ],
        },
        steps: [
          {
            user: ['Windows login', 'Email', 'Both actually', 'The Windows one'],
            intent: 'inform',
            bot: { text: 'Which office are you working from? I need it to pick the right domain controller.' },
          },
          {
            user: [
              "I'm at the [Columbus](office) office.",
              "I'm in the [New York](office) office.",
              'I work from the [London](office) office',
              'Remote, but I belong to [Chicago](office)',
            ],
            intent: 'inform',
            bot: { text: 'Done. I have sent a reset link to the mobile number in your profile. The link is valid for 15 minutes.' },
          },
        ],
        lookup: 'integration',
      },
      {
        intent: 'account_trouble',
        label: 'account trouble',
        tag: 'account',
        openers: ['My account is locked', 'I keep getting "access denied" in the HR portal', 'I cannot sign in to Teams', 'My account got disabled'],
        first: { text: 'Sorry about that. What is your employee ID? It starts with E followed by six digits.' },
        steps: [
          {
            user: ['It is [E204518](employee_id)', '[E310227](employee_id)', 'my id is [E118904](employee_id)'],
            intent: 'inform',
            bot: {
              text: 'Thanks. I can see 5 failed sign-ins in the last hour, so the account was locked automatically. Shall I unlock it?',
              quickReplies: [
                ['Yes', '/agree'],
                ['No', '/disagree'],
              ],
            },
          },
          {
            user: ['Yes please', 'Yes', 'Go ahead'],
            intent: 'agree',
            bot: { text: 'Your account is unlocked. Please wait two minutes before you try to sign in again.' },
          },
        ],
        lookup: 'integration',
      },
      {
        intent: 'vpn_issue',
        label: 'the VPN',
        tag: 'vpn',
        openers: [
          'VPN keeps disconnecting',
          "I can't connect to the VPN from home",
          'GlobalProtect says gateway not responding',
          'vpn is super slow today',
        ],
        first: {
          text: 'Let us check a few things. Are you on home Wi-Fi or on a mobile hotspot?',
          quickReplies: [
            ['Home Wi-Fi', '/inform'],
            ['Hotspot', '/inform'],
          ],
        },
        steps: [
          {
            user: ['Home Wi-Fi', 'hotspot from my phone', 'Hotel wifi actually'],
            intent: 'inform',
            bot: { text: 'Please sign out of GlobalProtect, choose the gateway "US-East-2" and sign in again. Does it connect now?' },
          },
          {
            user: ['Yes, it works now', 'It connected', 'Still nothing'],
            intent: 'inform',
            bot: { text: 'Good. If it drops again, run "Collect logs" from the GlobalProtect menu and attach them to a ticket.' },
          },
        ],
      },
      {
        intent: 'printer_issue',
        label: 'a printer problem',
        tag: 'printer',
        openers: ['The printer on floor 3 is jammed', 'I cannot print to the office printer', 'Printer says offline'],
        first: { text: 'Which printer is it? The name is on the sticker on the front, like PRN-NY-301.' },
        steps: [
          {
            user: ['[PRN-NY-301](printer)', 'It says [PRN-COL-112](printer)', '[PRN-LDN-020](printer) I think'],
            intent: 'inform',
            bot: {
              text: 'Thanks. I have opened a facilities ticket for that printer; a technician usually comes within 4 hours. Meanwhile you can use any other printer on the same floor.',
            },
          },
        ],
      },
      {
        intent: 'new_laptop',
        label: 'a new laptop',
        tag: 'hardware',
        openers: ['My laptop is 5 years old, can I get a new one?', 'I need a new laptop', 'laptop battery dies after an hour'],
        first: {
          text: 'Laptops are replaced after 4 years or when they fail. Is yours damaged or just old?',
          quickReplies: [
            ['Damaged', '/inform'],
            ['Just old', '/inform'],
          ],
        },
        steps: [
          {
            user: ['Just old', 'The screen is cracked', 'battery is swollen'],
            intent: 'inform',
            bot: {
              text: 'I have created a hardware request. Your manager will get an approval email, and the new laptop ships within 5 working days after approval.',
            },
          },
        ],
        form: 'hardware_request_form',
      },
      {
        intent: 'software_request',
        label: 'a software request',
        tag: 'software',
        openers: ['I need Visio installed', 'Can I get access to Tableau?', 'How do I install Python on my work laptop?'],
        first: { text: 'You can install approved software yourself from the Company Portal app. Is the software listed there?' },
        steps: [
          {
            user: ['No, it is not there', 'I found it, thanks', 'Where is the Company Portal?'],
            intent: 'inform',
            bot: {
              text: 'For software that is not in the Company Portal, I have opened a request for a licence review. You will get an email within one working day.',
            },
          },
        ],
      },
    ],
  },
  {
    brand: 'Northwind Bank',
    slot: 'card_type',
    intents: [
      'greetings',
      'card_lost',
      'check_balance',
      'dispute_transaction',
      'loan_info',
      'update_address',
      'thanks',
      'agree',
      'disagree',
      'goodbyes',
      'human_handoff',
    ],
    greetingBot: {
      text: 'Welcome to Northwind Bank. I am your digital assistant. How can I help you today?',
      buttons: [
        ['Lost or stolen card', '/card_lost'],
        ['Check my balance', '/check_balance'],
        ['Dispute a payment', '/dispute_transaction'],
      ],
    },
    unclear: ['money', 'i have a question about the thing from last week', 'why', 'something is wrong', 'card??'],
    notes: [
      'Customer verified by phone.',
      'Possible fraud, forwarded to the fraud team.',
      'Complaint logged: long wait.',
      'Follow up on the refund next week.',
    ],
    topics: [
      {
        intent: 'card_lost',
        label: 'a lost card',
        tag: 'cards',
        openers: ['I lost my debit card', 'My credit card was stolen', "I can't find my card anywhere", 'I need to block my card'],
        first: {
          text: 'I am sorry to hear that. Which card is it?',
          quickReplies: [
            ['Debit card', '/inform'],
            ['Credit card', '/inform'],
          ],
        },
        steps: [
          {
            user: ['The [debit](card_type) card', 'My [credit](card_type) card', '[debit](card_type)'],
            intent: 'inform',
            bot: {
              text: 'To block it I need to confirm it is you. Please enter the last 4 digits of the card.',
            },
          },
          {
            user: ['[4417](card_last4)', 'it ends in [9032](card_last4)', '[1185](card_last4)'],
            intent: 'inform',
            bot: {
              text: 'Your card ending in those digits is now blocked. A replacement card will arrive in 5 to 7 business days at your registered address.',
            },
          },
        ],
        form: 'card_block_form',
        lookup: 'integration',
      },
      {
        intent: 'check_balance',
        label: 'your balance',
        tag: 'balance',
        openers: ["What's my balance?", 'How much money do I have in checking?', 'Check balance on my savings'],
        first: {
          text: 'Which account?',
          quickReplies: [
            ['Checking', '/inform'],
            ['Savings', '/inform'],
          ],
        },
        steps: [
          {
            user: ['[Checking](account_type)', '[Savings](account_type) please', 'the [checking](account_type) one'],
            intent: 'inform',
            bot: { text: 'Your available balance is $2,418.37. Your last transaction was a card payment of $54.20 at City Market yesterday.' },
          },
        ],
        lookup: 'integration',
      },
      {
        intent: 'dispute_transaction',
        label: 'a disputed payment',
        tag: 'dispute',
        openers: ["There's a charge I don't recognize", 'I was charged twice for the same thing', 'I want to dispute a transaction'],
        first: { text: 'I can help you dispute it. What was the amount and the merchant name on the statement?' },
        steps: [
          {
            user: [
              '[$89.99](amount) from [StreamPlus](merchant)',
              '[$240](amount) at [Hotel Aurora](merchant)',
              'two charges of [$15.00](amount) from [QuickCab](merchant)',
            ],
            intent: 'inform',
            bot: {
              text: 'Thanks. Did you authorise this payment or share your card details with anyone?',
              quickReplies: [
                ['Yes', '/agree'],
                ['No', '/disagree'],
              ],
            },
          },
          {
            user: ['No', 'No, never', 'not that I know of'],
            intent: 'disagree',
            bot: {
              text: 'I have opened dispute case for this charge. We will credit the amount provisionally within 2 business days while we investigate.',
            },
          },
        ],
      },
      {
        intent: 'loan_info',
        label: 'loans',
        tag: 'loans',
        openers: ['What are your personal loan rates?', 'Can I get a loan for a car?', 'I want to refinance my mortgage'],
        first: { text: 'Personal loans start at 7.49% APR for terms of 12 to 60 months. How much would you like to borrow?' },
        steps: [
          {
            user: ['About [$15,000](amount)', '[$8000](amount)', 'maybe [$25k](amount)'],
            intent: 'inform',
            bot: {
              text: 'You can check your rate in 2 minutes without affecting your credit score.',
              buttons: [['Check my rate', 'https://northwind.example/loans/rate']],
            },
          },
        ],
      },
      {
        intent: 'update_address',
        label: 'an address change',
        tag: 'profile',
        openers: ['I moved, how do I change my address?', 'Update my mailing address', 'I need to change my address on file'],
        first: { text: 'You can update it right here. What is your new street address, including the ZIP code?' },
        steps: [
          {
            user: [
              '[221 Pine Street, Seattle WA 98101](address)',
              '[48 Oak Ave, Austin TX 78701](address)',
              '[9 Harbor Rd, Portland ME 04101](address)',
            ],
            intent: 'inform',
            bot: { text: 'Thank you. Your address has been updated, and we sent a confirmation letter to both the old and the new address.' },
          },
        ],
        form: 'address_form',
      },
    ],
  },
  {
    brand: 'Skyway Travel',
    slot: 'destination',
    intents: [
      'greetings',
      'booking_change',
      'baggage_policy',
      'flight_status',
      'refund_request',
      'hotel_booking',
      'thanks',
      'agree',
      'disagree',
      'goodbyes',
      'human_handoff',
    ],
    greetingBot: {
      text: 'Hi! I am the Skyway Travel assistant. I can help with bookings, flight status, baggage and refunds.',
      quickReplies: [
        ['Flight status', '/flight_status'],
        ['Change a booking', '/booking_change'],
        ['Baggage', '/baggage_policy'],
      ],
    },
    unclear: ['trip', 'hmm', 'the app crashed', 'so what now', 'I was told to write here'],
    notes: ['Waiver applied for weather disruption.', 'Customer is a Gold member.', 'Refund approved by supervisor.', 'Called the hotel to confirm.'],
    topics: [
      {
        intent: 'booking_change',
        label: 'changing a booking',
        tag: 'change',
        openers: ['I need to change my flight', 'Can I move my trip to next week?', 'Change the date of my booking'],
        first: { text: 'Sure. What is your booking reference? It has 6 letters and numbers.' },
        steps: [
          {
            user: ['[K7QZP2](booking_ref)', 'it is [XM4T9A](booking_ref)', '[PL8R3D](booking_ref)'],
            intent: 'inform',
            bot: { text: 'Found it: flight SK214 to Lisbon on the 14th. What new date would you like?' },
          },
          {
            user: ['The [21st](date)', '[next Friday](date)', '[March 3](date) if possible'],
            intent: 'inform',
            bot: {
              text: 'There is a seat on that date. The fare difference is $64. Shall I confirm the change?',
              quickReplies: [
                ['Confirm', '/agree'],
                ['Cancel', '/disagree'],
              ],
            },
          },
        ],
        lookup: 'integration',
      },
      {
        intent: 'baggage_policy',
        label: 'baggage',
        tag: 'baggage',
        openers: ['How many bags can I check?', 'What is the carry-on size limit?', 'Can I bring my surfboard?'],
        first: {
          text: 'That depends on your fare. Which fare did you book?',
          quickReplies: [
            ['Basic', '/inform'],
            ['Standard', '/inform'],
            ['Flex', '/inform'],
          ],
        },
        steps: [
          {
            user: ['[Basic](fare)', '[Standard](fare)', 'I think [Flex](fare)'],
            intent: 'inform',
            bot: {
              text: 'Your fare includes one carry-on up to 55 x 40 x 23 cm and 8 kg. Checked bags can be added in Manage Booking for $35 each way.',
            },
          },
        ],
      },
      {
        intent: 'flight_status',
        label: 'flight status',
        tag: 'status',
        openers: ['Is my flight on time?', 'Status of flight SK102', 'My flight to [Rome](destination) shows delayed, why?'],
        first: { text: 'What is the flight number?' },
        steps: [
          {
            user: ['[SK102](flight)', '[SK2231](flight)', 'it is [SK87](flight)'],
            intent: 'inform',
            bot: {
              text: 'That flight is delayed by 45 minutes because of late arrival of the incoming aircraft. New departure time is 18:35, gate B12.',
            },
          },
        ],
        lookup: 'integration',
      },
      {
        intent: 'refund_request',
        label: 'a refund',
        tag: 'refund',
        openers: ['I want a refund', 'My flight was cancelled, how do I get my money back?', 'Refund for my hotel please'],
        first: {
          text: 'I am sorry your plans changed. Was the trip cancelled by us or by you?',
          quickReplies: [
            ['By Skyway', '/inform'],
            ['By me', '/inform'],
          ],
        },
        steps: [
          {
            user: ['You cancelled it', 'I cancelled it myself', 'the airline did'],
            intent: 'inform',
            bot: { text: 'In that case you are entitled to a full refund to the original payment method. It usually takes 7 to 10 business days.' },
          },
        ],
        form: 'refund_form',
      },
      {
        intent: 'hotel_booking',
        label: 'a hotel booking',
        tag: 'hotel',
        openers: [
          'I need a hotel in [Barcelona](destination)',
          'Book a hotel near the airport',
          'Find me a room in [Paris](destination) for 3 nights',
        ],
        first: { text: 'Happy to help. What are your check-in and check-out dates?' },
        steps: [
          {
            user: ['From the [12th to the 15th](date)', '[May 2 to May 5](date)', '[this weekend](date)'],
            intent: 'inform',
            bot: {
              text: 'Here are three options with free cancellation. Prices include taxes.',
              buttons: [
                ['Hotel Central - $142/night', '/choose{"hotel":"central"}'],
                ['Harbour View - $188/night', '/choose{"hotel":"harbour"}'],
                ['City Budget Inn - $89/night', '/choose{"hotel":"budget"}'],
              ],
            },
          },
          {
            user: ['Hotel Central', 'The budget one', 'Harbour View please'],
            intent: 'inform',
            bot: { text: 'Booked! Your confirmation number is HTL-58214. You will receive an email with the details.' },
          },
        ],
        lookup: 'integration',
      },
    ],
  },
];

export const FIRST_NAMES = [
  'Anne',
  'James',
  'Maria',
  'Robert',
  'Linda',
  'Michael',
  'Sarah',
  'David',
  'Emily',
  'Daniel',
  'Olivia',
  'Ethan',
  'Sophia',
  'Liam',
  'Ava',
  'Noah',
  'Grace',
  'Lucas',
  'Chloe',
  'Henry',
  'Priya',
  'Wei',
  'Carlos',
  'Fatima',
  'Kenji',
  'Aisha',
  'Mateo',
];
export const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Wilson',
  'Taylor',
  'Anderson',
  'Thomas',
  'Moore',
  'Martin',
  'Lee',
  'Clark',
  'Lewis',
  'Walker',
  'Hall',
  'Young',
  'Patel',
  'Chen',
  'Nguyen',
  'Kim',
  'Okafor',
];

/** The channels a bot is deployed on. `Talk to your bot` is Bot Builder's own test console (the vendor example's channel). */
/**
 * The channels, with `type`: NICE's "Use Queries in Search" page lets `channel` match "the name,
 * type or ID of a channel", with values such as `apple-business`, `facebook-dm`, `live-chat`,
 * `chat`, `sms`. The types are those values; `console` (the test console) is ours.
 */
export const CHANNELS = [
  { key: 'console', type: 'console', name: 'Talk to your bot', icon: '', weight: 1 },
  { key: 'chat', type: 'chat', name: 'Web chat', icon: 'chat', weight: 9 },
  { key: 'messenger', type: 'facebook-dm', name: 'Facebook Messenger', icon: 'messenger', weight: 4 },
  { key: 'whatsapp', type: 'whatsapp', name: 'WhatsApp', icon: 'whatsapp', weight: 4 },
  { key: 'sms', type: 'sms', name: 'SMS', icon: 'sms', weight: 2 },
  { key: 'apple', type: 'apple-business', name: 'Apple Messages for Business', icon: 'apple-messages', weight: 1 },
] as const;

/** A channel's type, from its name (the export's channel object has no type field). */
export function channelType(name: string | undefined): string | undefined {
  return CHANNELS.find((c) => c.name === name)?.type;
}

export type ChannelKey = (typeof CHANNELS)[number]['key'];
