"""Statistical models: customer value, late payment and conversion."""
