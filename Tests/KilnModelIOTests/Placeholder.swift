// Temporary: replaced as the module's first real test lands.
