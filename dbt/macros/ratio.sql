{# a / b, NULL when either is NULL or b is 0: a metric that cannot be computed is NULL, never 0. #}
{% macro ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{# Growth of `current` over `prior` as a decimal: (current - prior) / |prior|; NULL without a non-zero prior. #}
{% macro growth(current, prior) -%}
    (({{ current }}) - ({{ prior }})) / nullif(abs({{ prior }}), 0)
{%- endmacro %}

{# The mean of two balances; NULL unless both are known. #}
{% macro average(opening, closing) -%}
    (({{ opening }}) + ({{ closing }})) / 2
{%- endmacro %}
