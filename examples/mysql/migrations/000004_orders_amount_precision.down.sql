SET SESSION lock_wait_timeout = 5;
ALTER TABLE `orders` MODIFY `amount` DECIMAL(10,2) NOT NULL;
