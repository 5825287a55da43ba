import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'adding-exclusion-constraint';

describe(R, () => {
  test('flags EXCLUDE on an existing table and says honestly that there is no safe form', async () => {
    expect(await lintView(R, 'ALTER TABLE room_bookings ADD CONSTRAINT room_bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);')).toMatchInlineSnapshot(`
      [
        "1:31 warning ADD CONSTRAINT room_bookings_no_overlap EXCLUDE builds its index on room_bookings under ACCESS EXCLUSIVE (blocks reads and writes), and Postgres has no concurrent way to add an exclusion constraint
      There is no safe form: an exclusion constraint cannot be added NOT VALID or attached from an index built CONCURRENTLY. Your options: add it now if room_bookings is small; otherwise in a quiet window, with a short lock_timeout so that it gives up instead of making traffic queue behind it (the build itself still blocks reads and writes for as long as it takes):
      SET lock_timeout = '2s';
      ALTER TABLE room_bookings ADD CONSTRAINT room_bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&);
      -- on "canceling statement due to lock timeout": wait a moment and run it again
      Until then, enforce the rule in the application (for example, serialize conflicting writes with SELECT … FOR UPDATE on a parent row, or pg_advisory_xact_lock, and check for overlaps before inserting).",
      ]
    `);
  });

  test('an unnamed constraint gets the name Postgres would give it; a lock_timeout already set is acknowledged', async () => {
    const [f] = await findingsOf(R, 'SET lock_timeout = \'3s\';\nALTER TABLE "Room Bookings" ADD EXCLUDE USING gist ("Room" WITH =, during WITH &&) WHERE (NOT cancelled);');
    expect(f!.message).toContain('ADD CONSTRAINT "Room Bookings_Room_during_excl" EXCLUDE builds its index on "Room Bookings"');
    expect(f!.fix).toContain('lock_timeout is already 3s');
    expect(f!.fix).not.toContain("SET lock_timeout = '2s';");
    expect(f!.fix).toContain('ALTER TABLE "Room Bookings" ADD CONSTRAINT "Room Bookings_Room_during_excl" EXCLUDE USING gist ("Room" WITH =, during WITH &&) WHERE (NOT cancelled);');
  });

  test('leaves alone: new tables, and other constraints', async () => {
    expect(await findingsOf(R, 'CREATE TABLE room_bookings (room_id bigint, during tstzrange);\nALTER TABLE room_bookings ADD EXCLUDE USING gist (room_id WITH =, during WITH &&);')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE room_bookings ADD CONSTRAINT c CHECK (lower(during) < upper(during)) NOT VALID;')).toEqual([]);
  });
});
