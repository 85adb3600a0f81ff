"""The one scheduler process (``flask --app wsgi scheduler``); never started inside web workers."""
