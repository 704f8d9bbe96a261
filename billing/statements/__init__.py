"""Bank statements: reading them (`parsers`), matching their credits to invoices
(`matcher`), and importing, reviewing and applying them (`services`, `admin`)."""
