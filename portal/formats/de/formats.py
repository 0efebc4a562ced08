# Date formats of the pages in German (FORMAT_MODULE_PATH); numbers use Django's German
# separators (decimal comma, thousands point through |intcomma).
DATE_FORMAT = "j. F Y"  # 1. Mai 2024
SHORT_DATE_FORMAT = "j. M Y"  # 1. Dez. 2024
SHORT_DATETIME_FORMAT = "j. M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
