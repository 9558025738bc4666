/**
 * Nothing dropped silently: `Bot`, `EndUser` and `Flow` carry `raw` like `Conversation`; CLOSER end
 * users expose `userKey` and `params`; flows expose their nodes. The digest's objects (the CLOSER
 * webhook docs): END USER `{id, botId, platform, userKey, params, …}`; a bot's flows with nodes,
 * and navigation `{flowId, nodeId, visitCount}` pointing into them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestBotgraph, type TestBotgraph } from '../../helpers/botgraph.js';

let bg: TestBotgraph;
beforeAll(async () => {
  bg = await startTestBotgraph();
});

describe('raw and the fields that were dropped', () => {
  it('bots and flows: raw as the vendor sent it, flows with their nodes', async () => {
    const res = await bg.gql(`{ bots { provider nativeId name raw flows { nativeId name nodes { nativeId name } raw } } }`);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const closer = res.data.bots.filter((b: any) => b.provider === 'CLOSER');
    expect(closer.length).toBeGreaterThan(0);
    for (const bot of closer) {
      expect(bot.raw).toMatchObject({ id: bot.nativeId, title: bot.name });
      expect(bot.flows.length).toBeGreaterThan(0);
      for (const flow of bot.flows) {
        expect(flow.raw).toMatchObject({ id: flow.nativeId });
        expect(flow.nodes.length).toBeGreaterThan(0);
        expect(flow.nodes.map((n: any) => n.nativeId)).toEqual((flow.raw.nodes as any[]).map((n) => n.id));
      }
    }
    // Bot.one and CXone bots come from configuration: raw says what botgraph knows of them.
    for (const bot of res.data.bots.filter((b: any) => b.provider !== 'CLOSER')) expect(bot.raw).not.toBeNull();
  });

  it('CLOSER end users: userKey, params and raw', async () => {
    const res = await bg.gql(`{ endUsers(first: 20, filter: { providers: [CLOSER] }) { nodes { nativeId platform userKey params raw } } }`);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const users = res.data.endUsers.nodes;
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) {
      expect(u.raw).toMatchObject({ id: u.nativeId });
      expect(u.userKey).toBe(u.raw.userKey);
      expect(typeof u.userKey).toBe('string');
      expect(u.params).toEqual(u.raw.params);
    }
    expect(users.some((u: any) => u.params && Object.keys(u.params).length > 0)).toBe(true);
  });

  it('a CXone end user: raw is the customer object; no userKey or params', async () => {
    const res = await bg.gql(
      `{ conversations(first: 3, filter: { providers: [CXONE] }) { nodes { endUser { nativeId name userKey params raw } } } }`,
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    for (const { endUser } of res.data.conversations.nodes) {
      expect(endUser.raw).toMatchObject({ id: endUser.nativeId, name: endUser.name });
      expect(endUser.userKey).toBeNull();
      expect(endUser.params).toBeNull();
    }
  });
});
