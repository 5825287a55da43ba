SET SESSION lock_wait_timeout = 5;
-- Bigger orders: two more digits.
ALTER TABLE `orders` MODIFY `amount` DECIMAL(14,2) NOT NULL;
