/**
 * The undoable maps and sets the dataflow passes work on, against plain copies: after any
 * changes, `undo(mark)` gives back exactly the state at the mark and `changedSince(mark)`
 * names exactly the keys that differ from it (or were changed and changed back); a set's
 * `union` and `gains` agree with the union of copies run separately.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UndoableMap, UndoableSet } from "../compiler/ir/undoable";

const key = fc.constantFrom("a", "b", "c", "d", "e");
const change = fc.tuple(key, fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }));
const changes = fc.array(change, { maxLength: 12 });

const apply = (map: UndoableMap<string, number>, list: [string, number | undefined][]) => list.forEach(([k, value]) => map.set(k, value));
const state = (map: UndoableMap<string, number>) => new Map([...map.keys()].sort().map((k) => [k, map.get(k)]));
const members = (set: UndoableSet<string>) => ["a", "b", "c", "d", "e"].filter((k) => set.has(k));

describe("UndoableMap", () => {
  it("undoes to any mark, nested, and names what changed since", () => {
    fc.assert(
      fc.property(changes, changes, changes, (first, second, third) => {
        const map = new UndoableMap<string, number>();
        apply(map, first);
        const atOuter = state(map);
        const outer = map.mark();
        apply(map, second);
        const atInner = state(map);
        const inner = map.mark();
        apply(map, third);
        for (const [k, was] of map.changedSince(inner)) expect(was).toBe(atInner.get(k));
        for (const k of "abcde") if (map.get(k) !== atInner.get(k)) expect(map.changedSince(inner).has(k)).toBe(true);
        map.undo(inner);
        expect(state(map)).toEqual(atInner);
        map.undo(outer);
        expect(state(map)).toEqual(atOuter);
      }),
    );
  });
});

describe("UndoableSet", () => {
  const ops = fc.array(fc.tuple(fc.boolean(), key), { maxLength: 10 });
  const run = (set: UndoableSet<string>, list: [boolean, string][]) => list.forEach(([add, k]) => (add ? set.add(k) : set.delete(k)));
  const runCopy = (start: string[], list: [boolean, string][]) => {
    const copy = new UndoableSet<string>();
    start.forEach((k) => copy.add(k));
    run(copy, list);
    return members(copy);
  };

  it("leaves the union of two branches run from the same state", () => {
    fc.assert(
      fc.property(ops, ops, ops, (start, left, right) => {
        const set = new UndoableSet<string>();
        run(set, start);
        const before = members(set);
        set.union(
          () => run(set, left),
          () => run(set, right),
        );
        const expected = new Set([...runCopy(before, left), ...runCopy(before, right)]);
        expect(members(set)).toEqual([...expected].sort());
      }),
    );
  });

  it("gains: what a run has at a capture or its end that the set lacks, the set untouched", () => {
    fc.assert(
      fc.property(ops, ops, ops, (start, head, tail) => {
        const set = new UndoableSet<string>();
        run(set, start);
        const before = members(set);
        const gained = set.gains((capture) => {
          run(set, head);
          capture();
          run(set, tail);
        });
        const atCapture = runCopy(before, head);
        const atEnd = runCopy(atCapture, tail);
        expect(gained.sort()).toEqual([...new Set([...atCapture, ...atEnd])].filter((k) => !before.includes(k)).sort());
        expect(members(set)).toEqual(before);
      }),
    );
  });
});
