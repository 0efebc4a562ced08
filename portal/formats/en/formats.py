# Date formats of the pages in English (FORMAT_MODULE_PATH): day month year, as the pages were
# written; the templates name these (|date:"DATE_FORMAT"), so German gets its own below.
DATE_FORMAT = "j F Y"  # 1 May 2024
SHORT_DATE_FORMAT = "j M Y"  # 1 May 2024 (abbreviated month)
SHORT_DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "F Y"
