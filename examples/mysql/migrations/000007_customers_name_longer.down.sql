SET SESSION lock_wait_timeout = 5;
ALTER TABLE `customers` MODIFY `name` VARCHAR(50) NOT NULL;
