-- The safe way: a short metadata-lock wait, and the algorithm stated so the server refuses rather than copies.
SET SESSION lock_wait_timeout = 5;
ALTER TABLE `orders` ADD COLUMN `shipped_at` DATETIME NULL, ALGORITHM=INSTANT;
