// Temporary: replaced as the module's first real source lands.
enum KilnInterpreterPlaceholder {}
