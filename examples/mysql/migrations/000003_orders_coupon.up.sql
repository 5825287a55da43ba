-- Coupons: a column and an index for the lookup.
ALTER TABLE `orders` ADD COLUMN `coupon` VARCHAR(32) NULL AFTER `status`;
ALTER TABLE `orders` ADD INDEX `orders_coupon_idx` (`coupon`);
