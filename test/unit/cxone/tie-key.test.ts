/**
 * The CXone stream's keyset tie: the export orders equal `lastMessageAt` by `conversationId`
 * ascending (docs/providers/cxone.md, "Order"), and the merge's keysets order ties descending
 * (`compareKeysets`), so sorting by the tie key must give the export's order, prefixes included.
 */
import { describe, expect, it } from 'vitest';
import { compareKeysets, keysetOf } from '../../../src/datasources/base.js';
import type { ConversationModel } from '../../../src/models.js';
import { cxoneTieKey } from '../../../src/providers/cxone/stream.js';

const at = new Date(1_719_944_386_159);
const conv = (nativeId: string) => ({ nativeId, updatedAt: at }) as ConversationModel;

describe('cxoneTieKey', () => {
  it('orders equal times by conversation id ascending, byte order, a prefix first', () => {
    const ids = ['b', 'a0', 'a', 'A', '66a1', '66a10', 'z9', '0'];
    const byKeyset = [...ids].sort((x, y) => compareKeysets(keysetOf(conv(x), cxoneTieKey), keysetOf(conv(y), cxoneTieKey)));
    expect(byKeyset).toEqual([...ids].sort());
  });
});
