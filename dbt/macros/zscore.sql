{#
  Cross-sectional statistics of `columns` per date over `relation`: count, mean and sample standard deviation.
  Ordered aggregates (by ticker) make the floating-point sums, hence the z-scores, identical on every rebuild.
#}
{% macro cross_section_stats(columns, relation) -%}
    select
        date
        {%- for c in columns %},
        count({{ c }}) as {{ c }}_n,
        avg({{ c }} order by ticker) as {{ c }}_mean,
        stddev_samp({{ c }} order by ticker) as {{ c }}_sd
        {%- endfor %}
    from {{ relation }}
    group by date
{%- endmacro %}

{# The z-score of `column` against its cross_section_stats (alias `s`), clipped to +-3; NULL for a NULL value or a thin cross-section. #}
{% macro zscore(column, s='s') -%}
    case
        when {{ column }} is not null and {{ s }}.{{ column }}_n >= {{ var('min_cross_section') }}
         and {{ s }}.{{ column }}_sd > 0
        then greatest(-3, least(3, ({{ column }} - {{ s }}.{{ column }}_mean) / {{ s }}.{{ column }}_sd))
    end
{%- endmacro %}
