from registrations.models import Registration, RegistrationLog


def registration_log(
    *, registration: Registration, action: str, message: str = "", actor=None
) -> RegistrationLog:
    return RegistrationLog.objects.create(
        registration=registration, action=action, message=message, actor=actor
    )
