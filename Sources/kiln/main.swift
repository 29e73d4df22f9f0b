// Temporary: replaced by the CLI entry point.
print("kiln")
