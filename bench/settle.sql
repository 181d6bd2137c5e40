-- bench/settle.sql: the per-vendor figures of `slatement settle` for one month, computed by DuckDB
-- from the same CSV files. It is the reference side of bench/compare.sh (see BENCHMARKS.md).
--
-- Run by bench/duckdb_settle.py, which sets the variable `data_dir` (the folder holding
-- calls.csv, tickets.csv, surveys.csv, orders.csv) and prints the last query's rows as JSON.
--
-- The contract terms are those of the repository's rates.toml, HARD-CODED here (change them in
-- both places, or this script settles a different contract):
--   timezone            Asia/Shanghai: session time zone for naive timestamps. The wall clock is
--                       UTC+8 (no DST since 1991), so local-clock arithmetic adds 8 h to the
--                       instant's epoch.
--   month               2026-10: [2026-10-01 00:00, 2026-11-01 00:00) local; the cut-off for
--                       unreplied work orders is 2026-11-01 00:00 local (no --as-of).
--   vendors             acme, brightline (both in contract before October).
--   [service_hours]     count_outside_hours = false; phone mon-sun 09:00-18:00,
--                       online mon-sun 09:00-21:00 (half-open, observe_holidays false).
--   [contacts]          service_level_seconds = 20 (inclusive), short_abandon_seconds = 0.
--   [work_orders]       reply_within 3h of business time; mon-sun 09:00-12:00 and 13:00-18:00;
--                       observe_holidays = false (so every day has the same 8 business hours).
--   [packages]          package1 / package2 category lists (takeover prices per package).
--
-- Input conventions followed (SPEC §2, §8), as far as the generated months need them: columns
-- by name (DuckDB matches names case-insensitively, any order), cells trimmed, enumerated values
-- case-insensitive, an empty handled_by is `vendor`. Timestamps are whatever DuckDB's
-- VARCHAR -> TIMESTAMPTZ cast accepts with the session time zone Asia/Shanghai: naive
-- `YYYY-MM-DD HH:MM:SS` (read as local time) and RFC 3339 `YYYY-MM-DDTHH:MM:SS+08:00` (or any
-- other offset, or Z), the two forms gen_month writes.
-- Rows outside the month are dropped first; exact duplicates (same parsed values of every column)
-- count once (SELECT DISTINCT); ids that still occur on more than one row (same id, different
-- cells) are dropped altogether, as slatement rejects them. Other bad rows (unparsable cells,
-- unknown values, times out of order) are NOT detected: settle refuses such a month anyway, and
-- the benchmark's months are generated without --bad-rows.
--
-- Times are carried as BIGINT microseconds of the local wall clock since 1970-01-01 00:00 local
-- (`lus`), so hours of the day and business time are integer arithmetic.

SET TimeZone = 'Asia/Shanghai';

CREATE OR REPLACE TEMP MACRO lus(s) AS
    epoch_us(CAST(trim(s) AS TIMESTAMPTZ)) + 8 * 3600 * 1000000::BIGINT;

-- Local-clock constants (microseconds).
CREATE OR REPLACE TEMP MACRO us_hour() AS 3600 * 1000000::BIGINT;
CREATE OR REPLACE TEMP MACRO us_day() AS 86400 * 1000000::BIGINT;
CREATE OR REPLACE TEMP MACRO month_start() AS epoch_us(TIMESTAMP '2026-10-01 00:00:00');
CREATE OR REPLACE TEMP MACRO month_end() AS epoch_us(TIMESTAMP '2026-11-01 00:00:00');

-- Business microseconds on the work-order clock from 1970-01-01 00:00 local up to local time t:
-- 8 h for each whole day before t's day, plus the part of 09:00-12:00 and 13:00-18:00 of t's day
-- already passed. Elapsed business time between two instants is the difference.
CREATE OR REPLACE TEMP MACRO business_us(t) AS
    (t // us_day()) * 8 * us_hour()
    + least(greatest(t % us_day() - 9 * us_hour(), 0), 3 * us_hour())
    + least(greatest(t % us_day() - 13 * us_hour(), 0), 5 * us_hour());

CREATE OR REPLACE TEMP MACRO hour_of(t) AS (t % us_day()) // us_hour();

CREATE OR REPLACE TEMP MACRO package_of(category) AS CASE
    WHEN category IN ('家用电器', '手机', '数码', '电脑', '办公', '家居', '家具', '家装', '厨具', '珠宝',
                      '奢侈品', '整车', '汽车用品', '营养保健') THEN 'package1'
    WHEN category IN ('男装', '女装', '内衣', '个护化妆', '鞋靴', '箱包', '钟表', '运动户外', '母婴', '玩具乐器',
                      '食品饮料', '酒类', '生鲜', '图书', '音像', '数字商品', '彩票', '旅行', '充值', '票务')
        THEN 'package2'
END;

CREATE OR REPLACE TEMP TABLE vendors AS
    SELECT * FROM (VALUES ('acme'), ('brightline')) v(vendor);

-- calls.csv -----------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE call_figures AS
WITH parsed AS (
    SELECT
        trim(contact_id) AS id,
        trim(vendor) AS vendor,
        lower(trim(channel)) AS channel,
        lower(trim(stage)) AS stage,
        trim(category) AS category,
        lus(offered_at) AS offered,
        lus(answered_at) AS answered,
        lus(ended_at) AS ended,
        coalesce(nullif(lower(trim(handled_by)), ''), 'vendor') AS handled_by
    FROM read_csv(getvariable('data_dir') || '/calls.csv', header = true, all_varchar = true)
),
in_month AS (
    SELECT DISTINCT * FROM parsed
    WHERE offered >= month_start() AND offered < month_end()
),
calls AS (
    SELECT
        vendor, channel, stage, package_of(category) AS package, answered,
        handled_by = 'vendor' AS by_vendor,
        handled_by = 'platform' AS handled_by_platform,
        -- service hours: phone 09:00-18:00, online 09:00-21:00, every day (half-open)
        hour_of(offered) >= 9
            AND hour_of(offered) < CASE channel WHEN 'phone' THEN 18 ELSE 21 END AS in_hours,
        -- short_abandon_seconds = 0: an unanswered contact ended less than 0 s after its offer
        answered IS NULL AND ended IS NOT NULL
            AND ended < offered + 0 * 1000000 AS short_abandon,
        -- service_level_seconds = 20, inclusive
        answered <= offered + 20 * 1000000 AS within_service_level
    FROM in_month
    QUALIFY count(*) OVER (PARTITION BY id) = 1
),
flagged AS (
    SELECT *,
        by_vendor AND in_hours AND NOT short_abandon AS scored,
        -- a platform contact is priced when answered, whatever the hour
        handled_by_platform AND answered IS NOT NULL AS takeover
    FROM calls
)
SELECT
    vendor,
    count(*) FILTER (scored) AS offered,
    count(*) FILTER (scored AND answered IS NOT NULL) AS answered,
    count(*) FILTER (scored AND channel = 'phone') AS phone_offered,
    count(*) FILTER (scored AND channel = 'phone' AND answered IS NOT NULL) AS phone_answered,
    count(*) FILTER (scored AND channel = 'online') AS online_offered,
    count(*) FILTER (scored AND channel = 'online' AND answered IS NOT NULL) AS online_answered,
    count(*) FILTER (scored AND within_service_level) AS within_service_level,
    count(*) FILTER (by_vendor AND short_abandon) AS short_abandons,
    count(*) FILTER (by_vendor AND NOT in_hours) AS outside_service_hours,
    count(*) FILTER (takeover) AS takeovers_answered,
    count(*) FILTER (takeover AND stage = 'presales' AND channel = 'phone') AS presales_phone,
    count(*) FILTER (takeover AND stage = 'presales' AND channel = 'online') AS presales_online,
    count(*) FILTER (takeover AND stage = 'aftersales' AND package = 'package1'
                     AND channel = 'phone') AS aftersales_package1_phone,
    count(*) FILTER (takeover AND stage = 'aftersales' AND package = 'package1'
                     AND channel = 'online') AS aftersales_package1_online,
    count(*) FILTER (takeover AND stage = 'aftersales' AND package = 'package2'
                     AND channel = 'phone') AS aftersales_package2_phone,
    count(*) FILTER (takeover AND stage = 'aftersales' AND package = 'package2'
                     AND channel = 'online') AS aftersales_package2_online
FROM flagged
GROUP BY vendor;

-- tickets.csv ---------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE ticket_figures AS
WITH parsed AS (
    SELECT
        trim(ticket_id) AS id,
        trim(vendor) AS vendor,
        lower(trim(kind)) AS kind,
        trim(category) AS category,
        lower(trim(complexity)) AS complexity,
        lus(created_at) AS created,
        lus(first_reply_at) AS first_reply,
        lus(resolved_at) AS resolved,
        coalesce(nullif(lower(trim(handled_by)), ''), 'vendor') AS handled_by
    FROM read_csv(getvariable('data_dir') || '/tickets.csv', header = true, all_varchar = true)
),
in_month AS (
    SELECT DISTINCT * FROM parsed
    WHERE created >= month_start() AND created < month_end()
),
tickets AS (
    SELECT
        vendor, kind, first_reply, resolved, handled_by,
        kind = 'work_order' AND handled_by = 'vendor' AS work_order,
        -- business time elapsed to the reply, or (unreplied) to the cut-off 2026-11-01 00:00
        business_us(coalesce(first_reply, month_end())) - business_us(created) AS elapsed
    FROM in_month
    QUALIFY count(*) OVER (PARTITION BY id) = 1
)
SELECT
    vendor,
    -- reply_within = 3h, inclusive
    count(*) FILTER (work_order AND first_reply IS NOT NULL
                     AND elapsed <= 3 * us_hour()) AS wo_on_time,
    count(*) FILTER (work_order AND elapsed > 3 * us_hour()) AS wo_overdue,
    count(*) FILTER (work_order AND first_reply IS NULL AND elapsed <= 3 * us_hour()) AS wo_pending,
    -- a platform service order is priced when resolved
    count(*) FILTER (kind = 'service_order' AND handled_by = 'platform'
                     AND resolved IS NOT NULL) AS service_order_takeovers
FROM tickets
GROUP BY vendor;

-- surveys.csv ---------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE survey_figures AS
WITH parsed AS (
    SELECT
        trim(survey_id) AS id,
        trim(vendor) AS vendor,
        lus(submitted_at) AS submitted,
        lower(trim(rating)) AS rating,
        trim(contact_id) AS contact_id
    FROM read_csv(getvariable('data_dir') || '/surveys.csv', header = true, all_varchar = true)
),
in_month AS (
    SELECT DISTINCT * FROM parsed
    WHERE submitted >= month_start() AND submitted < month_end()
),
surveys AS (
    SELECT vendor, CASE
        WHEN rating IN ('5', 'very_satisfied', '非常满意') THEN 5
        WHEN rating IN ('4', 'satisfied', '满意') THEN 4
        WHEN rating IN ('3', 'neutral', '一般') THEN 3
        WHEN rating IN ('2', 'dissatisfied', '不满意') THEN 2
        WHEN rating IN ('1', 'very_dissatisfied', '非常不满意') THEN 1
    END AS level
    FROM in_month
    QUALIFY count(*) OVER (PARTITION BY id) = 1
)
SELECT
    vendor,
    count(*) FILTER (level = 5) AS very_satisfied,
    count(*) FILTER (level = 4) AS satisfied,
    count(*) FILTER (level = 3) AS neutral,
    count(*) FILTER (level = 2) AS dissatisfied,
    count(*) FILTER (level = 1) AS very_dissatisfied
FROM surveys
GROUP BY vendor;

-- orders.csv ----------------------------------------------------------------------------------

CREATE OR REPLACE TEMP TABLE order_figures AS
WITH parsed AS (
    SELECT
        trim(order_id) AS id,
        trim(vendor) AS vendor,
        lus(placed_at) AS placed,
        CAST(trim(amount) AS DECIMAL(38, 6)) AS amount,
        lower(trim(status)) AS status
    FROM read_csv(getvariable('data_dir') || '/orders.csv', header = true, all_varchar = true)
),
in_month AS (
    SELECT DISTINCT * FROM parsed
    WHERE placed >= month_start() AND placed < month_end()
),
orders AS (
    SELECT * FROM in_month
    QUALIFY count(*) OVER (PARTITION BY id) = 1
)
SELECT
    vendor,
    count(*) FILTER (status = 'completed') AS completed,
    coalesce(sum(amount) FILTER (status = 'completed'), 0) AS completed_amount
FROM orders
GROUP BY vendor;

-- The figures, one row per declared vendor, named by their place in slatement's JSON statement
-- (`lines.<item>` is that money line's quantity; a line left out means 0).

SELECT
    v.vendor AS "vendor",
    coalesce(c.offered, 0) AS "contacts.offered",
    coalesce(c.answered, 0) AS "contacts.answered",
    coalesce(c.phone_offered, 0) AS "contacts.phone_offered",
    coalesce(c.phone_answered, 0) AS "contacts.phone_answered",
    coalesce(c.online_offered, 0) AS "contacts.online_offered",
    coalesce(c.online_answered, 0) AS "contacts.online_answered",
    coalesce(c.within_service_level, 0) AS "contacts.answered_within_service_level",
    coalesce(c.short_abandons, 0) AS "contacts.short_abandons",
    coalesce(c.outside_service_hours, 0) AS "contacts.outside_service_hours",
    coalesce(c.takeovers_answered, 0) AS "contacts.takeovers_answered",
    coalesce(c.answered, 0) AS "metrics.answer_rate.numerator",
    coalesce(c.offered, 0) AS "metrics.answer_rate.denominator",
    coalesce(c.phone_answered, 0) AS "metrics.phone_answer_rate.numerator",
    coalesce(c.phone_offered, 0) AS "metrics.phone_answer_rate.denominator",
    coalesce(c.online_answered, 0) AS "metrics.online_response_rate.numerator",
    coalesce(c.online_offered, 0) AS "metrics.online_response_rate.denominator",
    coalesce(c.within_service_level, 0) AS "metrics.service_level.numerator",
    coalesce(c.offered, 0) AS "metrics.service_level.denominator",
    coalesce(s.very_satisfied, 0) AS "surveys.very_satisfied",
    coalesce(s.satisfied, 0) AS "surveys.satisfied",
    coalesce(s.neutral, 0) AS "surveys.neutral",
    coalesce(s.dissatisfied, 0) AS "surveys.dissatisfied",
    coalesce(s.very_dissatisfied, 0) AS "surveys.very_dissatisfied",
    coalesce(s.very_satisfied + s.satisfied, 0) AS "metrics.satisfaction.numerator",
    coalesce(s.very_satisfied + s.satisfied + s.neutral + s.dissatisfied + s.very_dissatisfied, 0)
        AS "metrics.satisfaction.denominator",
    coalesce(c.presales_phone, 0) AS "lines.takeover/presales/phone",
    coalesce(c.presales_online, 0) AS "lines.takeover/presales/online",
    coalesce(c.aftersales_package1_phone, 0) AS "lines.takeover/aftersales/package1/phone",
    coalesce(c.aftersales_package1_online, 0) AS "lines.takeover/aftersales/package1/online",
    coalesce(c.aftersales_package2_phone, 0) AS "lines.takeover/aftersales/package2/phone",
    coalesce(c.aftersales_package2_online, 0) AS "lines.takeover/aftersales/package2/online",
    coalesce(w.service_order_takeovers, 0) AS "lines.takeover/service_order",
    coalesce(w.wo_on_time, 0) AS "work_orders.on_time",
    coalesce(w.wo_overdue, 0) AS "work_orders.overdue",
    coalesce(w.wo_pending, 0) AS "work_orders.pending",
    coalesce(w.wo_on_time, 0) AS "metrics.work_order_on_time_rate.numerator",
    coalesce(w.wo_on_time + w.wo_overdue, 0) AS "metrics.work_order_on_time_rate.denominator",
    coalesce(w.wo_overdue, 0) AS "lines.overdue/work_order",
    coalesce(o.completed, 0) AS "orders.completed",
    coalesce(o.completed_amount, 0) AS "orders.completed_amount"
FROM vendors v
LEFT JOIN call_figures c USING (vendor)
LEFT JOIN ticket_figures w USING (vendor)
LEFT JOIN survey_figures s USING (vendor)
LEFT JOIN order_figures o USING (vendor)
ORDER BY v.vendor;
