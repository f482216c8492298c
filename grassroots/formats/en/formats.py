"""English date formats: one style on every page, day month year ("16 October 2024"), as
British and international English write it, so no date reads "Oct. 16, 2024" beside
"March 25, 2025". Japanese keeps Django's own (2024年10月16日)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
