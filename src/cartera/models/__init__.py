"""Models: account value, late payment of invoices and conversion of leads."""
