"""schema.org data for search engines: the program as an EducationEvent with its sessions."""

from django.conf import settings

from .models import Program

ATTENDANCE_MODE: dict[str, str] = {
    Program.Format.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Program.Format.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    Program.Format.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}


def _location(program: Program) -> dict:
    if program.format == Program.Format.ONLINE:
        return {"@type": "VirtualLocation", "url": settings.SITE_URL + program.get_absolute_url()}
    return {"@type": "Place", "name": "omwellness", "address": program.venue or "Ontario, Canada"}


def program_json_ld(*, program: Program, sessions, price_options, seats_left: int) -> dict:
    url = settings.SITE_URL + program.get_absolute_url()
    status = (
        "https://schema.org/EventCancelled"
        if program.status == Program.Status.CANCELLED
        else "https://schema.org/EventScheduled"
    )
    data = {
        "@context": "https://schema.org",
        "@type": "EducationEvent",
        "name": program.title,
        "description": program.summary,
        "url": url,
        "eventStatus": status,
        "eventAttendanceMode": ATTENDANCE_MODE[program.format],
        "location": _location(program),
        "organizer": {"@type": "Organization", "name": "omwellness", "url": settings.SITE_URL},
        "performer": [{"@type": "Person", "name": f.name} for f in program.facilitators.all()],
        "offers": [
            {
                "@type": "Offer",
                "name": option.label,
                "price": f"{option.amount_cents / 100:.2f}",
                "priceCurrency": "CAD",
                "url": url,
                "availability": "https://schema.org/SoldOut"
                if seats_left <= 0
                else "https://schema.org/InStock",
            }
            for option in price_options
        ],
        "subEvent": [
            {
                "@type": "EducationEvent",
                "name": f"{program.title}: {session.title}",
                "startDate": session.starts_at.isoformat(),
                "endDate": session.ends_at.isoformat(),
                "eventAttendanceMode": ATTENDANCE_MODE[program.format],
                "location": _location(program),
            }
            for session in sessions
        ],
    }
    if sessions:
        data["startDate"] = sessions[0].starts_at.isoformat()
        data["endDate"] = sessions[-1].ends_at.isoformat()
    return data
