# Armenian dates and numbers (CLDR): "1 մարտի 2027 թ.", "12,5", "1 234 567". Django has no hy formats.
DATE_FORMAT = "j E Y թ."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y թ., H:i"
YEAR_MONTH_FORMAT = "F Y թ."
MONTH_DAY_FORMAT = "j E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
