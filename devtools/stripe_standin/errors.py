"""Errors in the shape Stripe's API returns them, so the stripe library raises the same classes."""


class StripeError(Exception):
    """An API error: rendered as `{"error": {...}}` with the given HTTP status."""

    def __init__(
        self, message, *, status=400, error_type="invalid_request_error", code=None, param=None
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = error_type
        self.code = code
        self.param = param

    def body(self):
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        return {"error": error}


def resource_missing(kind, object_id, param="id"):
    return StripeError(
        f"No such {kind}: '{object_id}'", status=404, code="resource_missing", param=param
    )


def missing_param(param):
    return StripeError(f"Missing required param: {param}.", code="parameter_missing", param=param)


def unknown_param(param):
    return StripeError(
        f"Received unknown parameter: {param}", code="parameter_unknown", param=param
    )


def invalid_integer(value, param):
    return StripeError(f"Invalid integer: {value}", code="parameter_invalid_integer", param=param)


def unrecognized_url(method, path):
    return StripeError(
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
        status=404,
    )


def injected_failure(status):
    """The error body for a call failed on purpose by `fail_next` (an outage or rate limit)."""
    if status == 429:
        return StripeError(
            "Request rate limit exceeded. Learn more about rate limits here "
            "https://stripe.com/docs/rate-limits.",
            status=429,
            code="rate_limit",
        )
    if status >= 500:
        return StripeError(
            "An unknown error occurred while processing your request. (stand-in outage)",
            status=status,
            error_type="api_error",
        )
    return StripeError("The request failed on purpose (stand-in fail_next).", status=status)
