SET SESSION lock_wait_timeout = 5;
ALTER TABLE `customers` MODIFY `name` VARCHAR(100) NOT NULL;
