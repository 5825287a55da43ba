ALTER TABLE `orders` DROP INDEX `orders_coupon_idx`, DROP COLUMN `coupon`;
