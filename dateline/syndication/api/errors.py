"""JSON error answers, each saying what to fix."""

from django.http import JsonResponse


def error(status: int, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response
