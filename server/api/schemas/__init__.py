"""Request and response schemas: they validate input and generate the OpenAPI document."""
