/**
 * Catalog tables of SPEC §2, named as the runbook names them. Each row carries a
 * `version` bumped by a trigger on every UPDATE, whoever runs it, so commit can
 * detect drift even after an operator's hand-written SQL.
 * Frozen: never import application code from a migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION catalog_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.version := OLD.version + 1;
      NEW.updated_at := now();
      RETURN NEW;
    END $$;

    CREATE TABLE catalog_category (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug varchar(100) NOT NULL UNIQUE,
      name text NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE catalog_series (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug varchar(100) NOT NULL UNIQUE,
      name text NOT NULL,
      category_id bigint NOT NULL REFERENCES catalog_category (id),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX catalog_series_category_id_idx ON catalog_series (category_id);

    CREATE TABLE catalog_brand (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug varchar(100) NOT NULL UNIQUE,
      name text NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE catalog_product (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug varchar(255) NOT NULL UNIQUE,
      title_tr text,
      title_en text,
      category_id bigint NOT NULL REFERENCES catalog_category (id),
      series_id bigint REFERENCES catalog_series (id),
      brand_id bigint REFERENCES catalog_brand (id),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT catalog_product_has_title CHECK (title_tr IS NOT NULL OR title_en IS NOT NULL)
    );
    CREATE INDEX catalog_product_category_id_idx ON catalog_product (category_id);
    CREATE INDEX catalog_product_series_id_idx ON catalog_product (series_id);
    CREATE INDEX catalog_product_brand_id_idx ON catalog_product (brand_id);

    CREATE TABLE catalog_variant (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      model_code varchar(100) NOT NULL UNIQUE,
      product_id bigint NOT NULL REFERENCES catalog_product (id),
      dimensions text,
      price numeric(10, 2) CHECK (price >= 0),
      specs jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(specs) = 'object'),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX catalog_variant_product_id_idx ON catalog_variant (product_id);
  `.execute(db);

  for (const table of [
    "catalog_category",
    "catalog_series",
    "catalog_brand",
    "catalog_product",
    "catalog_variant",
  ]) {
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_bump_version`)} BEFORE UPDATE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION catalog_bump_version()
    `.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE catalog_variant;
    DROP TABLE catalog_product;
    DROP TABLE catalog_brand;
    DROP TABLE catalog_series;
    DROP TABLE catalog_category;
    DROP FUNCTION catalog_bump_version();
  `.execute(db);
}
