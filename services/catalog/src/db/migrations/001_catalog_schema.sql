-- The catalog's tables. Products are read through the cache; reviews are the heavy part of a product
-- page (count, average, latest five, and the best-rated products of the same category).

CREATE TABLE categories (
  id integer PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL
);

CREATE TABLE products (
  id bigserial PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  category_id integer NOT NULL REFERENCES categories (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Bumped by every update: clients may send the version they read (optimistic concurrency).
  version integer NOT NULL DEFAULT 1
);

-- Listing by category in id order (cursor pagination) and the category's products for "related".
CREATE INDEX products_category_id_idx ON products (category_id, id);

CREATE TABLE reviews (
  id bigserial PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One index serves the whole page: the latest reviews of a product (ordered scan) and, with the
-- rating included, count/average per product as index-only scans (no heap visits after VACUUM).
CREATE INDEX reviews_product_latest_idx ON reviews (product_id, created_at DESC, id DESC) INCLUDE (rating);
