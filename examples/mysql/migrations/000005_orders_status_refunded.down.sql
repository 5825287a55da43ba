SET SESSION lock_wait_timeout = 5;
ALTER TABLE `orders` MODIFY `status` ENUM('new','paid','shipped') NOT NULL DEFAULT 'new';
