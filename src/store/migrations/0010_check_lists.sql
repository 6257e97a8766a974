-- Performance (issue 7): the CHECKs that name a list of more than two
-- allowed values are rewritten from `x IN ('a', 'b', 'c')` to
-- `x = 'a' OR x = 'b' OR x = 'c'`. Both are true, false and NULL on exactly
-- the same values, but for the IN form SQLite builds a temporary index of the
-- list on every execution of an INSERT or UPDATE: one temporary B-tree opened,
-- zeroed and closed per row. On an import of 140,010 rows, most of them cases
-- and contacts, that was 42 % of all the instructions. The rows themselves
-- do not change, so this is SQLite's documented way to change a CHECK
-- without rebuilding the table
-- (https://www.sqlite.org/lang_altertable.html#otheralter): edit the
-- table's text in the schema table, then change the schema cookie so that
-- every connection parses the schema again.
PRAGMA writable_schema = ON;

UPDATE sqlite_master SET sql = replace(sql,
    'role IN (''frontline'', ''assistant_supervisor'',
                          ''trainee_supervisor'', ''junior_supervisor'', ''intermediate_supervisor'',
                          ''senior_supervisor'', ''station_head'')',
    'role = ''frontline'' OR role = ''assistant_supervisor'' OR
                          role = ''trainee_supervisor'' OR role = ''junior_supervisor'' OR
                          role = ''intermediate_supervisor'' OR role = ''senior_supervisor'' OR
                          role = ''station_head''')
WHERE type = 'table' AND name = 'staff';

UPDATE sqlite_master SET sql = replace(sql,
    'qualification IN (''none'', ''assistant_social_worker'',
                          ''social_worker'', ''senior_social_worker'')',
    'qualification = ''none'' OR qualification = ''assistant_social_worker'' OR
                                   qualification = ''social_worker'' OR
                                   qualification = ''senior_social_worker''')
WHERE type = 'table' AND name = 'staff';

UPDATE sqlite_master SET sql = replace(sql,
    'mode IN (''individual'', ''group'', ''written'', ''follow_up'', ''live_observation'')',
    'mode = ''individual'' OR mode = ''group'' OR mode = ''written'' OR
                          mode = ''follow_up'' OR mode = ''live_observation''')
WHERE type = 'table' AND name = 'supervision_record';

UPDATE sqlite_master SET sql = replace(sql,
    'attendance IN (''present'', ''late'', ''absent'')',
    'attendance = ''present'' OR attendance = ''late'' OR attendance = ''absent''')
WHERE type = 'table' AND name = 'record_attendee';

UPDATE sqlite_master SET sql = replace(sql,
    'category IN (''elderly'', ''children'', ''disability'',
                           ''low_income'', ''family'', ''other'')',
    'category = ''elderly'' OR category = ''children'' OR
                              category = ''disability'' OR category = ''low_income'' OR
                              category = ''family'' OR category = ''other''')
WHERE type = 'table' AND name = 'client_case';

UPDATE sqlite_master SET sql = replace(sql,
    'risk IN (''high'', ''priority'', ''general'')',
    'risk = ''high'' OR risk = ''priority'' OR risk = ''general''')
WHERE type = 'table' AND name = 'client_case';

UPDATE sqlite_master SET sql = replace(sql,
    'stage IN (''intake'', ''assessment'', ''plan'',
                           ''intervention'', ''evaluation'', ''review'', ''closed'', ''follow_up'')',
    'stage = ''intake'' OR stage = ''assessment'' OR stage = ''plan'' OR
                           stage = ''intervention'' OR stage = ''evaluation'' OR stage = ''review'' OR
                           stage = ''closed'' OR stage = ''follow_up''')
WHERE type = 'table' AND name = 'client_case';

UPDATE sqlite_master SET sql = replace(sql,
    'kind IN (''processing'', ''sensitive'', ''guardian'')',
    'kind = ''processing'' OR kind = ''sensitive'' OR kind = ''guardian''')
WHERE type = 'table' AND name = 'case_consent';

UPDATE sqlite_master SET sql = replace(sql,
    'kind IN (''intake'', ''interview'', ''home_visit'', ''phone'',
                  ''referral'', ''closing'', ''follow_up'')',
    'kind = ''intake'' OR kind = ''interview'' OR kind = ''home_visit'' OR
                          kind = ''phone'' OR kind = ''referral'' OR kind = ''closing'' OR
                          kind = ''follow_up''')
WHERE type = 'table' AND name = 'case_contact';

UPDATE sqlite_master SET sql = replace(sql,
    'kind IN (''field'', ''signed'', ''deleted'')',
    'kind = ''field'' OR kind = ''signed'' OR kind = ''deleted''')
WHERE type = 'table' AND name = 'sync_conflict';

UPDATE sqlite_master SET sql = replace(sql,
    'status IN (''open'', ''kept_winner'', ''kept_loser'')',
    'status = ''open'' OR status = ''kept_winner'' OR status = ''kept_loser''')
WHERE type = 'table' AND name = 'sync_conflict';

UPDATE sqlite_master SET sql = replace(sql,
    'action IN (''create'', ''update'', ''delete'', ''sign'', ''amend'',
                 ''export'', ''import'', ''restore'', ''passphrase'', ''purge'', ''backup'')',
    'action = ''create'' OR action = ''update'' OR action = ''delete'' OR
                            action = ''sign'' OR action = ''amend'' OR action = ''export'' OR
                            action = ''import'' OR action = ''restore'' OR action = ''passphrase'' OR
                            action = ''purge'' OR action = ''backup''')
WHERE type = 'table' AND name = 'audit_log';

-- The cookie: creating and dropping a table moves it on, so connections
-- that already hold the schema read it again. RESET makes this connection
-- read it again at once, the migrated CHECKs included.
CREATE TABLE check_lists_rewritten (x);
DROP TABLE check_lists_rewritten;
PRAGMA writable_schema = RESET;
