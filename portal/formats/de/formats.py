SHORT_DATE_FORMAT = "j. F Y"  # 7. Dezember 2026
SHORT_DATETIME_FORMAT = "j. F Y, H:i"  # 7. Dezember 2026, 14:05
