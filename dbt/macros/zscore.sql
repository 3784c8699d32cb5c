{# Cross-sectional z-score of `column` at each `date`, clipped to +-3; NULL for a NULL value or a thin cross-section. #}
{% macro zscore(column, partition='date') -%}
    case
        when {{ column }} is not null
         and count({{ column }}) over (partition by {{ partition }}) >= {{ var('min_cross_section') }}
         and stddev_samp({{ column }}) over (partition by {{ partition }}) > 0
        then greatest(-3, least(3,
            ({{ column }} - avg({{ column }}) over (partition by {{ partition }}))
            / stddev_samp({{ column }}) over (partition by {{ partition }})
        ))
    end
{%- endmacro %}
