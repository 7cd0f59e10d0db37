from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    name = "receipts"
    verbose_name = "Receipts"

    def ready(self) -> None:
        # Imported here, not at the top: these modules load models, which Django allows
        # only once every app is registered.
        from registrations import signals

        from . import services

        # Registrations records the money and sends these inside that transaction; the
        # receipt (or credit note) and its number commit with it, or not at all.
        signals.payment_recorded.connect(
            services.on_payment_recorded, dispatch_uid="receipts-payment"
        )
        signals.refund_recorded.connect(services.on_refund_recorded, dispatch_uid="receipts-refund")
