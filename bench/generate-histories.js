/**
 * Deterministic, realistic migration histories for the lint benchmark (bench/lint.js):
 *  - bench/out/diesel/: a Diesel history (migrations/<timestamp>_<name>/up.sql + down.sql) of a
 *    forum application, written the way Diesel projects write SQL by hand: lowercase, SERIAL keys,
 *    the diesel_manage_updated_at trigger helper, seed rows, enums, indexes, constraints, renames;
 *  - bench/out/prisma/: a Prisma Migrate history (migrations/<timestamp>_<name>/migration.sql) of a
 *    shop, exactly in the shape `prisma migrate dev` writes: `-- CreateTable` headers, quoted
 *    PascalCase identifiers, `CONSTRAINT "X_pkey" PRIMARY KEY`, `CREATE UNIQUE INDEX "X_y_key"`,
 *    foreign keys added after the tables, enums, `-- AlterTable` / `-- DropIndex` / warnings.
 * Both grow a schema over time, so most statements alter tables that exist, and many of them are the
 * statements real histories are full of and linters flag (plain CREATE INDEX, ADD FOREIGN KEY without
 * NOT VALID, SET NOT NULL, type changes, volatile defaults, renames, drops).
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function rng(seed) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const stamp = (i) => {
  // Diesel / Prisma timestamps: YYYY-MM-DD-HHMMSS / YYYYMMDDHHMMSS, one migration every ~2 days.
  const d = new Date(Date.UTC(2019, 0, 1) + i * 2 * 86_400_000 + (i % 7) * 3_600_000 + (i % 13) * 60_000);
  const p = (n) => String(n).padStart(2, '0');
  return { diesel: `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}00`, prisma: `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}00` };
};

// ---------------------------------------------------------------------------------------------
// Diesel: a forum.

/** An aggregates table kept by a trigger, with its backfill: the other big thing forum histories hold. */
function aggregates(t, i, tables, r) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const counters = Array.from({ length: 4 + Math.floor(r() * 6) }, (_, j) => `${pick(tables)}_count_${j}`);
  const body = counters
    .map(
      (c) =>
        `    IF (TG_OP = 'INSERT') THEN\n        update ${t}_aggregates_${i} set ${c} = ${c} + 1 where ${t}_id = NEW.id;\n    ELSIF (TG_OP = 'DELETE') THEN\n        update ${t}_aggregates_${i} set ${c} = ${c} - 1 where ${t}_id = OLD.id;\n    END IF;`,
    )
    .join('\n');
  return [
    `create table ${t}_aggregates_${i} (\n  id serial primary key,\n  ${t}_id int references ${t} on update cascade on delete cascade not null,\n  ${counters.map((c) => `${c} bigint not null default 0`).join(',\n  ')},\n  unique (${t}_id)\n);`,
    `insert into ${t}_aggregates_${i} (${t}_id, ${counters.join(', ')})\n  select x.id,\n  ${counters.map((c) => `coalesce(cnt.${c}, 0)`).join(',\n  ')}\n  from ${t} x\n  left join (\n    select c.creator_id,\n    ${counters.map((c) => `count(*) as ${c}`).join(',\n    ')}\n    from comments c\n    group by c.creator_id\n  ) cnt on x.id = cnt.creator_id;`,
    `create or replace function ${t}_aggregates_${i}()\nreturns trigger language plpgsql\nas $$\nbegin\n${body}\n    return null;\nend $$;`,
    `create trigger ${t}_aggregates_${i}\nafter insert or delete on ${t}\nfor each row\nexecute procedure ${t}_aggregates_${i}();`,
  ];
}

/** A view the way forum histories write them: dozens of correlated subqueries, a CTE, UNION ALL. */
function bigView(name, t, tables, r) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const cols = [];
  const n = 12 + Math.floor(r() * 30);
  for (let j = 0; j < n; j++) {
    const o = pick(tables);
    switch (j % 5) {
      case 0:
        cols.push(`(select count(*) from ${o} o where o.creator_id = x.id) as number_of_${o}_${j}`);
        break;
      case 1:
        cols.push(`(select coalesce(sum(score), 0) from ${o} p, votes v where x.id = p.creator_id and p.id = v.post_id) as ${o}_score_${j}`);
        break;
      case 2:
        cols.push(`(select name from users u where x.creator_id = u.id) as creator_name_${j}`);
        break;
      case 3:
        cols.push(`hot_rank_10(coalesce(sum(v.score), 0), (case when (x.published < ('now'::timestamp - '1 month'::interval)) then x.published else greatest(c.recent, x.published) end)) as rank_${j}`);
        break;
      default:
        cols.push(`(select b.id::bool from bans b where x.creator_id = b.creator_id and b.published > x.published) as banned_${j}`);
    }
  }
  return [
    `drop view if exists ${name} cascade;`,
    `create view ${name} as\nwith all_rows as (\n  select\n  x.*,\n  ${cols.join(',\n  ')}\n  from ${t} x\n  left join votes v on x.id = v.post_id\n  left join (\n    select creator_id, max(published) as recent\n    from comments\n    group by 1\n  ) c on x.id = c.creator_id\n  group by x.id, c.recent\n)\nselect\nar.*,\nu.id as user_id,\n(select s.id::boolean from settings s where u.id = s.creator_id and s.id = ar.id) as subscribed\nfrom users u\ncross join all_rows ar\n\nunion all\n\nselect\nar.*,\nnull as user_id,\nnull as subscribed\nfrom all_rows ar\n;`,
  ];
}

const dieselTables = ['users', 'posts', 'comments', 'communities', 'votes', 'tags', 'post_tags', 'moderators', 'bans', 'reports', 'messages', 'notifications', 'sessions', 'settings', 'uploads'];
const dieselCols = [
  ['bio', 'text'],
  ['avatar_url', 'text'],
  ['is_deleted', 'boolean not null default false'],
  ['score', 'integer not null default 0'],
  ['published', 'timestamp not null default now()'],
  ['updated', 'timestamp'],
  ['locale', "varchar(20) default 'en'"],
  ['nsfw', 'boolean default false not null'],
  ['ap_id', "varchar(255) not null default 'http://fake.com'"],
  ['local', 'boolean not null default true'],
  ['thumbnail_url', 'text'],
  ['language_id', 'integer'],
  ['hot_rank', 'integer not null default 1728'],
  ['search_vector', 'tsvector'],
  ['uuid', 'uuid not null default gen_random_uuid()'],
  ['metadata', 'jsonb'],
  ['view_count', 'bigint not null default 0'],
];

function dieselMigration(i, r, state) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const t = pick(state.tables);
  const up = [];
  const down = [];
  let name;
  const k = i % 25 === 24 ? 6 : i % 25;
  if (i < state.seedTables.length) {
    const tbl = state.seedTables[i];
    name = `create_${tbl}`;
    up.push(
      `create table ${tbl} (\n  id serial primary key,\n  name varchar(100) not null,\n  creator_id int references users on update cascade on delete cascade,\n  published timestamp not null default now(),\n  updated timestamp\n);`,
      `select diesel_manage_updated_at('${tbl}');`,
    );
    if (tbl === 'users') up[0] = `create table users (\n  id serial primary key,\n  name varchar(20) not null unique,\n  email text unique,\n  password_encrypted text not null,\n  admin boolean default false not null,\n  banned boolean default false not null,\n  published timestamp not null default now(),\n  updated timestamp\n);`;
    down.push(`drop table ${tbl};`);
    state.tables.push(tbl);
    return { name, up, down };
  }
  if (i % 6 === 0 && i < 1000) {
    // Forum histories keep adding tables: ~100 by the end, each with a handful of columns.
    const tbl = `${pick(['community', 'post', 'comment', 'person', 'site', 'mod', 'admin', 'local', 'federation', 'instance'])}_${pick(['report', 'ban', 'aggregates', 'follower', 'block', 'saved', 'read', 'like', 'language', 'history'])}_${i}`;
    const cols = Array.from({ length: 4 + Math.floor(r() * 12) }, (_, j) => `  ${dieselCols[(i + j) % dieselCols.length][0]} ${dieselCols[(i + j) % dieselCols.length][1]}`);
    state.tables.push(tbl);
    return {
      name: `create_${tbl}`,
      up: [
        `create table ${tbl} (\n  id serial primary key,\n  creator_id int references users on update cascade on delete cascade not null,\n  ${pick(state.tables.slice(0, 15))}_id int references ${pick(state.tables.slice(0, 15))} on update cascade on delete cascade,\n${cols.join(',\n')},\n  published timestamp not null default now(),\n  unique (creator_id, id)\n);`,
        `create index idx_${tbl}_creator on ${tbl} (creator_id);`,
      ],
      down: [`drop table ${tbl};`],
    };
  }
  const col = `${pick(dieselCols)[0]}_${i}`;
  const [, type] = pick(dieselCols);
  switch (k) {
    case 0:
    case 1:
      name = `add_${col}_to_${t}`;
      up.push(`alter table ${t} add column ${col} ${type};`);
      down.push(`alter table ${t} drop column ${col};`);
      break;
    case 2:
      name = `index_${t}_${i}`;
      up.push(`create index idx_${t}_${i} on ${t} (published desc);`);
      down.push(`drop index idx_${t}_${i};`);
      break;
    case 3:
      name = `add_fk_${t}_${i}`;
      up.push(`alter table ${t} add column ref_${i} int;`, `alter table ${t} add constraint ${t}_ref_${i}_fkey foreign key (ref_${i}) references ${pick(state.tables)} (id) on delete cascade;`);
      down.push(`alter table ${t} drop constraint ${t}_ref_${i}_fkey;`, `alter table ${t} drop column ref_${i};`);
      break;
    case 4:
      name = `not_null_${t}_${i}`;
      up.push(`update ${t} set updated = published where updated is null;`, `alter table ${t} alter column updated set not null;`);
      down.push(`alter table ${t} alter column updated drop not null;`);
      break;
    case 5:
      name = `change_type_${t}_${i}`;
      up.push(`alter table ${t} alter column name type varchar(${200 + i});`);
      down.push(`alter table ${t} alter column name type varchar(100);`);
      break;
    case 6:
      name = `create_view_${i}`;
      up.push(...bigView(`${t}_view`, t, state.tables, r), ...bigView(`${t}_aggregates_view`, t, state.tables, r));
      down.push(...bigView(`${t}_view`, t, state.tables, r));
      break;
    case 7:
      name = `rename_${t}_${i}`;
      up.push(`alter table ${t} rename column name to name_${i};`, `alter table ${t} rename column name_${i} to name;`);
      down.push(`select 1;`);
      break;
    case 8:
      name = `create_enum_${i}`;
      up.push(`create type listing_type_${i} as enum ('all', 'subscribed', 'community');`, `alter table ${t} add column listing_${i} listing_type_${i} not null default 'all';`);
      down.push(`alter table ${t} drop column listing_${i};`, `drop type listing_type_${i};`);
      break;
    case 9:
      name = `add_unique_${t}_${i}`;
      up.push(`alter table ${t} add constraint ${t}_name_${i}_key unique (name, published);`);
      down.push(`alter table ${t} drop constraint ${t}_name_${i}_key;`);
      break;
    case 10:
      name = `hot_rank_function_${i}`;
      up.push(
        `create or replace function hot_rank_${i}(score numeric, published timestamp without time zone)\nreturns integer as $$\nbegin\n  -- hours_diff:=EXTRACT(EPOCH FROM (timezone('utc',now()) - published))/3600\n  return floor(10000*log(greatest(1,score+3)) / power(((EXTRACT(EPOCH FROM (timezone('utc',now()) - published))/3600) + 2), 1.8))::integer;\nend; $$\nlanguage plpgsql\nimmutable;`,
      );
      down.push(`drop function hot_rank_${i};`);
      break;
    case 11:
      name = `trigger_${t}_${i}`;
      up.push(
        `create or replace function ${t}_count_${i}() returns trigger language plpgsql as $$\nbegin\n  IF (TG_OP = 'INSERT') THEN\n    update settings set name = name where id = NEW.id;\n  END IF;\n  return null;\nend $$;`,
        `create trigger ${t}_count_${i} after insert or delete on ${t} for each row execute procedure ${t}_count_${i}();`,
      );
      down.push(`drop trigger ${t}_count_${i} on ${t};`, `drop function ${t}_count_${i};`);
      break;
    case 12:
      name = `seed_${t}_${i}`;
      up.push(`insert into ${t} (name) values ('seed ${i}'), ('seed ${i + 1}');`);
      down.push(`delete from ${t} where name like 'seed %';`);
      break;
    case 13:
      name = `add_default_${t}_${i}`;
      up.push(`alter table ${t} add column ${col}_at timestamp not null default now();`);
      down.push(`alter table ${t} drop column ${col}_at;`);
      break;
    case 14:
      name = `drop_col_${t}_${i}`;
      up.push(`alter table ${t} drop column if exists legacy_${i};`);
      down.push(`alter table ${t} add column legacy_${i} text;`);
      break;
    case 15:
      name = `check_${t}_${i}`;
      up.push(`alter table ${t} add constraint ${t}_len_${i} check (char_length(name) <= 200);`);
      down.push(`alter table ${t} drop constraint ${t}_len_${i};`);
      break;
    case 16:
      name = `concurrent_index_${t}_${i}`;
      up.push(`create index concurrently if not exists idx_${t}_score_${i} on ${t} (id, published);`);
      down.push(`drop index concurrently if exists idx_${t}_score_${i};`);
      break;
    case 17:
      name = `uuid_${t}_${i}`;
      up.push(`alter table ${t} add column ext_${i} uuid default gen_random_uuid();`);
      down.push(`alter table ${t} drop column ext_${i};`);
      break;
    case 18:
      name = `matview_${i}`;
      up.push(`create materialized view ${t}_mview_${i} as select id, name from ${t};`, `create unique index idx_${t}_mview_${i}_id on ${t}_mview_${i} (id);`);
      down.push(`drop materialized view ${t}_mview_${i};`);
      break;
    case 23:
      name = `aggregates_${t}_${i}`;
      up.push(...aggregates(t, i, state.tables, r));
      down.push(`drop trigger ${t}_aggregates_${i} on ${t};`, `drop function ${t}_aggregates_${i};`, `drop table ${t}_aggregates_${i};`);
      break;
    case 19:
      name = `refresh_${i}`;
      up.push(`refresh materialized view ${t}_mview_${i - 1};`);
      down.push(`select 1;`);
      break;
    case 20:
      name = `multi_${t}_${i}`;
      up.push(
        `alter table ${t} add column a_${i} text, add column b_${i} int default 0;`,
        `create index idx_${t}_a_${i} on ${t} (a_${i}) where a_${i} is not null;`,
        `comment on column ${t}.a_${i} is 'added in ${i}';`,
      );
      down.push(`drop index idx_${t}_a_${i};`, `alter table ${t} drop column a_${i}, drop column b_${i};`);
      break;
    case 21:
      name = `timestamptz_${t}_${i}`;
      up.push(`alter table ${t} alter column published type timestamptz using published at time zone 'utc';`);
      down.push(`alter table ${t} alter column published type timestamp using published at time zone 'utc';`);
      break;
    case 22:
      name = `enum_value_${i}`;
      up.push(`alter type listing_type_${i - 14} add value 'local';`);
      down.push(`-- enum values cannot be removed\nselect 1;`);
      break;
    default:
      name = `backfill_${t}_${i}`;
      up.push(`update ${t} set name = trim(name);`, `delete from ${t} where name = '';`);
      down.push(`select 1;`);
  }
  return { name, up, down };
}

// ---------------------------------------------------------------------------------------------
// Prisma: a shop.
const prismaModels = ['User', 'Account', 'Session', 'Product', 'Category', 'Order', 'OrderItem', 'Cart', 'CartItem', 'Review', 'Address', 'Payment', 'Coupon', 'Shipment', 'Inventory'];
const prismaCols = [
  ['"description" TEXT', 'TEXT'],
  ['"price" DECIMAL(65,30) NOT NULL', 'DECIMAL'],
  ['"stock" INTEGER NOT NULL DEFAULT 0', 'INTEGER'],
  ['"isActive" BOOLEAN NOT NULL DEFAULT true', 'BOOLEAN'],
  ['"createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP', 'TIMESTAMP'],
  ['"updatedAt" TIMESTAMP(3) NOT NULL', 'TIMESTAMP'],
  ['"metadata" JSONB', 'JSONB'],
  ['"slug" TEXT NOT NULL', 'TEXT'],
  ['"sku" VARCHAR(64)', 'VARCHAR'],
  ['"rating" DOUBLE PRECISION', 'DOUBLE'],
  ['"tags" TEXT[]', 'TEXT[]'],
];

function prismaMigration(i, r, state) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const m = pick(state.models);
  const parts = [];
  let name;
  if (i < prismaModels.length) {
    const model = prismaModels[i];
    name = i === 0 ? 'init' : `add_${model.toLowerCase()}`;
    if (i === 0) parts.push(`-- CreateEnum\nCREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');`);
    parts.push(
      `-- CreateTable\nCREATE TABLE "${model}" (\n    "id" TEXT NOT NULL,\n    "name" TEXT NOT NULL,\n    "email" TEXT,\n    "userId" TEXT,\n    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    "updatedAt" TIMESTAMP(3) NOT NULL,\n\n    CONSTRAINT "${model}_pkey" PRIMARY KEY ("id")\n);`,
      `-- CreateIndex\nCREATE UNIQUE INDEX "${model}_email_key" ON "${model}"("email");`,
    );
    if (i > 0) parts.push(`-- AddForeignKey\nALTER TABLE "${model}" ADD CONSTRAINT "${model}_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;`);
    state.models.push(model);
    return { name, sql: parts.join('\n\n') };
  }
  if (i % 8 === 0 && i < 1000) {
    const model = `${pick(['Gift', 'Wish', 'Promo', 'Tax', 'Vendor', 'Warehouse', 'Refund', 'Return', 'Audit', 'Webhook'])}${pick(['Card', 'List', 'Code', 'Rate', 'Item', 'Log', 'Event', 'Rule'])}${i}`;
    const cols = Array.from({ length: 4 + Math.floor(r() * 12) }, (_, j) => `    ${prismaCols[(i + j) % prismaCols.length][0].replace(/"(\w+)"/, `"$1${j}"`)},`);
    state.models.push(model);
    return {
      name: `add_${model.toLowerCase()}`,
      sql: `-- CreateTable\nCREATE TABLE "${model}" (\n    "id" TEXT NOT NULL,\n${cols.join('\n')}\n    "userId" TEXT NOT NULL,\n\n    CONSTRAINT "${model}_pkey" PRIMARY KEY ("id")\n);\n\n-- CreateIndex\nCREATE INDEX "${model}_userId_idx" ON "${model}"("userId");\n\n-- AddForeignKey\nALTER TABLE "${model}" ADD CONSTRAINT "${model}_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;`,
    };
  }
  const [def] = pick(prismaCols);
  const col = def.replace(/"(\w+)"/, `"$1${i}"`);
  const colName = /"(\w+)"/.exec(col)[1];
  switch (i % 16) {
    case 0:
    case 1:
      name = `add_${colName.toLowerCase()}`;
      if (/NOT NULL(?! DEFAULT)/.test(col))
        parts.push(`/*\n  Warnings:\n\n  - Added the required column \`${colName}\` to the \`${m}\` table without a default value. This is not possible if the table is not empty.\n\n*/`);
      parts.push(`-- AlterTable\nALTER TABLE "${m}" ADD COLUMN     ${col};`);
      break;
    case 2:
      name = `index_${m.toLowerCase()}_${i}`;
      parts.push(`-- CreateIndex\nCREATE INDEX "${m}_createdAt_${i}_idx" ON "${m}"("createdAt");`);
      break;
    case 3:
      name = `unique_${m.toLowerCase()}_${i}`;
      parts.push(`-- AlterTable\nALTER TABLE "${m}" ADD COLUMN     "code${i}" TEXT;`, `-- CreateIndex\nCREATE UNIQUE INDEX "${m}_code${i}_key" ON "${m}"("code${i}");`);
      break;
    case 4: {
      const other = pick(state.models);
      name = `relation_${m.toLowerCase()}_${other.toLowerCase()}_${i}`;
      parts.push(`-- AlterTable\nALTER TABLE "${m}" ADD COLUMN     "${other.toLowerCase()}Id${i}" TEXT;`, `-- AddForeignKey\nALTER TABLE "${m}" ADD CONSTRAINT "${m}_${other.toLowerCase()}Id${i}_fkey" FOREIGN KEY ("${other.toLowerCase()}Id${i}") REFERENCES "${other}"("id") ON DELETE CASCADE ON UPDATE CASCADE;`);
      break;
    }
    case 5:
      name = `required_${m.toLowerCase()}_${i}`;
      parts.push(`/*\n  Warnings:\n\n  - Made the column \`email\` on table \`${m}\` required. This step will fail if there are existing NULL values in that column.\n\n*/`, `-- AlterTable\nALTER TABLE "${m}" ALTER COLUMN "email" SET NOT NULL;`);
      break;
    case 6:
      name = `type_${m.toLowerCase()}_${i}`;
      parts.push(`-- AlterTable\nALTER TABLE "${m}" ALTER COLUMN "name" SET DATA TYPE VARCHAR(${100 + i});`);
      break;
    case 7:
      name = `enum_${i}`;
      parts.push(`-- CreateEnum\nCREATE TYPE "Status${i}" AS ENUM ('PENDING', 'PAID', 'SHIPPED', 'CANCELLED');`, `-- AlterTable\nALTER TABLE "${m}" ADD COLUMN     "status${i}" "Status${i}" NOT NULL DEFAULT 'PENDING';`);
      break;
    case 8:
      name = `enum_value_${i}`;
      parts.push(`-- AlterEnum\nALTER TYPE "Role" ADD VALUE 'ROLE_${i}';`);
      break;
    case 9:
      name = `drop_${m.toLowerCase()}_${i}`;
      parts.push(`/*\n  Warnings:\n\n  - You are about to drop the column \`legacy${i}\` on the \`${m}\` table. All the data in the column will be lost.\n\n*/`, `-- AlterTable\nALTER TABLE "${m}" DROP COLUMN IF EXISTS "legacy${i}";`);
      break;
    case 10:
      name = `default_${m.toLowerCase()}_${i}`;
      parts.push(`-- AlterTable\nALTER TABLE "${m}" ALTER COLUMN "updatedAt" SET DEFAULT CURRENT_TIMESTAMP;`);
      break;
    case 11:
      name = `drop_index_${m.toLowerCase()}_${i}`;
      parts.push(`-- DropIndex\nDROP INDEX IF EXISTS "${m}_createdAt_${i - 9}_idx";`);
      break;
    case 12:
      name = `join_table_${i}`;
      parts.push(
        `-- CreateTable\nCREATE TABLE "_${m}To${i}" (\n    "A" TEXT NOT NULL,\n    "B" TEXT NOT NULL\n);`,
        `-- CreateIndex\nCREATE UNIQUE INDEX "_${m}To${i}_AB_unique" ON "_${m}To${i}"("A", "B");`,
        `-- CreateIndex\nCREATE INDEX "_${m}To${i}_B_index" ON "_${m}To${i}"("B");`,
        `-- AddForeignKey\nALTER TABLE "_${m}To${i}" ADD CONSTRAINT "_${m}To${i}_A_fkey" FOREIGN KEY ("A") REFERENCES "${m}"("id") ON DELETE CASCADE ON UPDATE CASCADE;`,
      );
      break;
    case 13:
      name = `rename_${m.toLowerCase()}_${i}`;
      parts.push(`-- AlterTable\nALTER TABLE "${m}" RENAME COLUMN "name" TO "title${i}";`, `-- AlterTable\nALTER TABLE "${m}" RENAME COLUMN "title${i}" TO "name";`);
      break;
    case 14:
      name = `uuid_${m.toLowerCase()}_${i}`;
      parts.push(`-- AlterTable\nALTER TABLE "${m}" ADD COLUMN     "publicId${i}" UUID NOT NULL DEFAULT gen_random_uuid();`);
      break;
    default:
      name = `drop_fk_${m.toLowerCase()}_${i}`;
      parts.push(`-- DropForeignKey\nALTER TABLE "${m}" DROP CONSTRAINT IF EXISTS "${m}_userId_fkey";`, `-- AddForeignKey\nALTER TABLE "${m}" ADD CONSTRAINT "${m}_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;`);
  }
  return { name, sql: parts.join('\n\n') };
}

/**
 * Writes both histories under `outDir` and returns their directories and sizes. `diesel` migrations
 * give two files each (up and down); the defaults make ~850 files in all, as the real histories did.
 */
export function generateHistories(outDir, { diesel = 230, prisma = 390 } = {}) {
  rmSync(join(outDir, 'diesel'), { recursive: true, force: true });
  rmSync(join(outDir, 'prisma'), { recursive: true, force: true });
  const dieselDir = join(outDir, 'diesel', 'migrations');
  const prismaDir = join(outDir, 'prisma', 'migrations');
  mkdirSync(dieselDir, { recursive: true });
  mkdirSync(prismaDir, { recursive: true });
  let files = 0;
  let statements = 0;

  const r1 = rng(11);
  const dstate = { tables: [], seedTables: dieselTables };
  mkdirSync(join(dieselDir, '00000000000000_diesel_initial_setup'));
  writeFileSync(
    join(dieselDir, '00000000000000_diesel_initial_setup', 'up.sql'),
    `-- This file was automatically created by Diesel to setup helper functions\n-- and other internal bookkeeping. This file is safe to edit, any future\n-- changes will be added to existing projects as new migrations.\n\nCREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$\nBEGIN\n    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s\n                    FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at()', _tbl);\nEND;\n$$ LANGUAGE plpgsql;\n\nCREATE OR REPLACE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$\nBEGIN\n    IF (\n        NEW IS DISTINCT FROM OLD AND\n        NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at\n    ) THEN\n        NEW.updated_at := current_timestamp;\n    END IF;\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n`,
  );
  writeFileSync(join(dieselDir, '00000000000000_diesel_initial_setup', 'down.sql'), `DROP FUNCTION IF EXISTS diesel_manage_updated_at(_tbl regclass);\nDROP FUNCTION IF EXISTS diesel_set_updated_at();\n`);
  files += 2;
  statements += 4;
  for (let i = 0; i < diesel - 1; i++) {
    const m = dieselMigration(i, r1, dstate);
    // Real migrations do several things at once: 1–6 changes each.
    if (i >= dstate.seedTables.length) {
      for (let extra = Math.floor(r1() * 6), j = 1; j <= extra; j++) {
        const more = dieselMigration(i + j * 1000, r1, dstate);
        m.up.push(...more.up);
        m.down.unshift(...more.down);
      }
    }
    const dir = join(dieselDir, `${stamp(i).diesel}_${m.name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'up.sql'), `-- Your SQL goes here\n${m.up.join('\n\n')}\n`);
    writeFileSync(join(dir, 'down.sql'), `-- This file should undo anything in \`up.sql\`\n${m.down.join('\n')}\n`);
    files += 2;
    statements += m.up.length + m.down.length;
  }

  const r2 = rng(23);
  const pstate = { models: [] };
  for (let i = 0; i < prisma; i++) {
    const m = prismaMigration(i, r2, pstate);
    if (i >= prismaModels.length) {
      for (let extra = Math.floor(r2() * 6), j = 1; j <= extra; j++) m.sql += '\n\n' + prismaMigration(i + j * 1000, r2, pstate).sql;
    }
    const dir = join(prismaDir, `${stamp(i).prisma}_${m.name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'migration.sql'), `${m.sql}\n`);
    files++;
    statements += (m.sql.match(/;\s*$/gm) ?? []).length;
  }
  writeFileSync(join(prismaDir, 'migration_lock.toml'), `# Please do not edit this file manually\n# It should be added in your version-control system (i.e. Git)\nprovider = "postgresql"\n`);
  return { diesel: join(outDir, 'diesel', 'migrations'), prisma: join(outDir, 'prisma', 'migrations'), files, statements };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? join(process.cwd(), 'bench/out');
  console.log(generateHistories(out));
}
