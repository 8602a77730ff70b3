// The compile cache's eviction must be O(1) per access (issue 11: a 100k-line config took
// minutes; evicting the oldest key of one Map walks every deleted slot in V8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache } from '../../runner/src/pyre/boundedCache';

test('keeps the most recently used entries, between limit and 2 x limit of them', () => {
  const cache = new BoundedCache<string, number>(3);
  for (let i = 0; i < 5; i++) cache.set(`k${i}`, i);
  assert.equal(cache.get('k4'), 4);
  assert.equal(cache.get('k0'), 0, 'the previous generation still answers');
  for (let i = 5; i < 9; i++) cache.set(`k${i}`, i);
  assert.equal(cache.get('k1'), undefined, 'two generations back is gone');
  assert.ok(cache.size >= 3 && cache.size <= 6, String(cache.size));
});

test('a hit in the old generation survives the next turnover', () => {
  const cache = new BoundedCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3); // a, b age
  assert.equal(cache.get('a'), 1); // moved back to the young generation
  cache.set('d', 4); // young full (c, a): it ages, b is dropped
  cache.set('e', 5);
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('b'), undefined);
});

test('a million distinct keys keep the cache bounded and the recent ones retrievable', () => {
  const cache = new BoundedCache<number, number>(1000);
  for (let i = 0; i < 1_000_000; i++) cache.set(i, i);
  assert.ok(cache.size <= 2000);
  for (let i = 999_000; i < 1_000_000; i++) assert.equal(cache.get(i), i);
});
