-- Demo data for one organization. Runs in one transaction after the organization and its
-- users (admin@, manager@, agent1@, agent2@leadline.demo) exist, with app.organization_id
-- (and app.user_id) set to them. Phone numbers are in the fictional 555-01xx range; email
-- domains are the reserved example.* ones.

SELECT set_config('app.change_source', 'system', true);

-- Leads, spread over the last weeks. Status history and 'create' audit entries come from the
-- leads triggers; status_changed_at says when each lead entered its current status.
INSERT INTO leads (organization_id, first_name, last_name, email, phone, company, title, status,
                   source, source_metadata, tags, lead_score, lead_score_factors, assigned_to,
                   timezone, created_at, updated_at, status_changed_at, last_contacted_at,
                   created_by)
SELECT app_current_org(), v.first_name, v.last_name, v.email, v.phone, v.company, v.title,
       v.status, v.source, v.source_metadata::jsonb, v.tags::text[], v.score,
       jsonb_build_object('source_quality', v.score / 3, 'engagement', v.score - v.score / 3),
       (SELECT u.id FROM users u
        WHERE u.organization_id = app_current_org() AND u.email = v.agent_email),
       v.timezone, now() - v.age, now() - v.in_status, now() - v.in_status,
       CASE WHEN v.status <> 'new' THEN now() - v.in_status END,
       app_current_user()
FROM (VALUES
  ('Emily', 'Carter', 'emily.carter@example.com', '+12065550101', NULL, NULL,
   'new', 'google_ads', '{"utm_source": "google", "utm_campaign": "spring_buyers"}',
   '{first_time_buyer}', 35, NULL, 'America/Los_Angeles', interval '2 days', interval '2 days'),
  ('Marcus', 'Johnson', 'marcus.johnson@example.net', '+13125550102', 'Lakeview Dental', 'Owner',
   'new', 'facebook', '{"campaign": "chicago_condos"}',
   '{investor}', 48, 'agent1@leadline.demo', 'America/Chicago', interval '6 days', interval '6 days'),
  ('Priya', 'Patel', 'priya.patel@example.org', '+15125550103', NULL, NULL,
   'contacted', 'referral', '{"referred_by": "James O''Brien"}',
   '{hot,referral}', 72, 'agent1@leadline.demo', 'America/Chicago', interval '12 days', interval '8 days'),
  ('Daniel', 'Kim', 'daniel.kim@example.com', '+14155550104', 'Kim Architecture', 'Principal',
   'nurturing', 'zillow', '{"listing_id": "Z-448120"}',
   '{relocation}', 55, 'agent2@leadline.demo', 'America/Los_Angeles', interval '25 days', interval '15 days'),
  ('Sofia', 'Hernandez', 'sofia.hernandez@example.com', '+13055550105', NULL, NULL,
   'appointment_set', 'website', '{"form": "home_valuation"}',
   '{hot,pre_approved}', 81, 'agent2@leadline.demo', 'America/New_York', interval '9 days', interval '2 days'),
  ('James', 'O''Brien', 'james.obrien@example.com', '+16175550106', 'Harbor Logistics', 'CFO',
   'appointment_set', 'referral', '{"referred_by": "past client"}',
   '{hot,referral,vip}', 90, 'agent1@leadline.demo', NULL, interval '30 days', interval '5 days'),
  ('Aisha', 'Williams', 'aisha.williams@example.net', '+13035550107', NULL, NULL,
   'lost', 'google_ads', '{"utm_source": "google", "utm_campaign": "denver_rentals"}',
   '{unresponsive}', 30, 'agent2@leadline.demo', 'America/Denver', interval '28 days', interval '10 days'),
  ('Robert', 'Chen', NULL, '+12065550108', NULL, NULL,
   'new', 'zillow', '{"listing_id": "Z-451977"}',
   '{}', 20, NULL, NULL, interval '1 day', interval '1 day'),
  ('Olivia', 'Martinez', 'olivia.martinez@example.org', NULL, NULL, NULL,
   'new', 'website', '{"form": "newsletter"}',
   '{newsletter}', 28, NULL, NULL, interval '3 days', interval '3 days'),
  ('Ethan', 'Brooks', 'ethan.brooks@example.com', '+13125550110', 'Brooks Capital', 'Partner',
   'contacted', 'facebook', '{"campaign": "chicago_condos"}',
   '{investor}', 40, 'agent1@leadline.demo', NULL, interval '14 days', interval '7 days'),
  ('Hannah', 'Nguyen', 'hannah.nguyen@example.net', '+15125550111', NULL, NULL,
   'qualified', 'zillow', '{"listing_id": "Z-450312"}',
   '{relocation,pre_approved}', 60, 'agent2@leadline.demo', NULL, interval '18 days', interval '4 days'),
  ('Lucas', 'Rivera', 'lucas.rivera@example.com', '+13055550112', NULL, NULL,
   'nurturing', 'google_ads', '{"utm_source": "google", "utm_campaign": "miami_waterfront"}',
   '{}', 45, 'agent1@leadline.demo', NULL, interval '40 days', interval '20 days'),
  ('Grace', 'Thompson', 'grace.thompson@example.org', '+14155550113', NULL, NULL,
   'appointment_set', 'referral', '{"referred_by": "Priya Patel"}',
   '{hot}', 78, 'agent1@leadline.demo', 'America/Los_Angeles', interval '11 days', interval '1 day'),
  ('Noah', 'Fischer', 'noah.fischer@example.com', '+16175550114', NULL, NULL,
   'lost', 'website', '{"form": "contact"}',
   '{price_shopper}', 8, NULL, NULL, interval '35 days', interval '21 days')
) AS v(first_name, last_name, email, phone, company, title, status, source, source_metadata,
       tags, score, agent_email, timezone, age, in_status);

-- A few status moves, so the status history shows transitions.
UPDATE leads SET status = 'contacted', last_contacted_at = now() - interval '1 day'
WHERE organization_id = app_current_org() AND phone = '+13125550102';
UPDATE leads SET status = 'qualified', last_contacted_at = now() - interval '2 hours'
WHERE organization_id = app_current_org() AND phone = '+15125550103';
UPDATE leads SET status = 'converted', last_contacted_at = now() - interval '3 hours'
WHERE organization_id = app_current_org() AND phone = '+16175550106';

-- Rescoring, so the score history has rows.
UPDATE leads
SET lead_score = 78,
    lead_score_factors = '{"source_quality": 26, "engagement": 40, "referral_bonus": 12}'
WHERE organization_id = app_current_org() AND phone = '+15125550103';
UPDATE leads
SET lead_score = 86,
    lead_score_factors = '{"source_quality": 27, "engagement": 49, "appointment": 10}'
WHERE organization_id = app_current_org() AND phone = '+13055550105';
UPDATE leads
SET lead_score = 66,
    lead_score_factors = '{"source_quality": 20, "engagement": 36, "pre_approved": 10}'
WHERE organization_id = app_current_org() AND phone = '+15125550111';
UPDATE leads
SET lead_score = 12,
    lead_score_factors = '{"source_quality": 10, "engagement": 2, "opted_out": -20}'
WHERE organization_id = app_current_org() AND phone = '+13035550107';

-- Assignment history matching leads.assigned_to. Daniel Kim moved from agent1 to agent2.
INSERT INTO lead_assignments (organization_id, lead_id, assigned_to, previous_assignee,
                              assigned_by, strategy, reason, context, created_at)
SELECT app_current_org(), l.id,
       (SELECT u.id FROM users u
        WHERE u.organization_id = app_current_org() AND u.email = 'agent1@leadline.demo'),
       NULL,
       (SELECT u.id FROM users u
        WHERE u.organization_id = app_current_org() AND u.email = 'manager@leadline.demo'),
       'round_robin', 'new lead distribution', '{"pool": "west_coast"}', l.created_at
FROM leads l
WHERE l.organization_id = app_current_org() AND l.phone = '+14155550104';

INSERT INTO lead_assignments (organization_id, lead_id, assigned_to, previous_assignee,
                              assigned_by, strategy, reason, context, created_at)
SELECT app_current_org(), l.id, l.assigned_to,
       CASE WHEN l.phone = '+14155550104' THEN
         (SELECT u.id FROM users u
          WHERE u.organization_id = app_current_org() AND u.email = 'agent1@leadline.demo')
       END,
       (SELECT u.id FROM users u
        WHERE u.organization_id = app_current_org() AND u.email = 'manager@leadline.demo'),
       CASE WHEN l.phone = '+14155550104' THEN 'manual'
            WHEN l.source = 'referral' THEN 'rule'
            ELSE 'round_robin' END,
       CASE WHEN l.phone = '+14155550104' THEN 'relocating buyer: agent2 covers the Bay Area'
            WHEN l.source = 'referral' THEN 'referrals go to the senior agent'
            ELSE 'new lead distribution' END,
       '{}',
       CASE WHEN l.phone = '+14155550104' THEN l.created_at + interval '3 days'
            ELSE l.created_at END
FROM leads l
WHERE l.organization_id = app_current_org() AND l.assigned_to IS NOT NULL;

-- Do-Not-Call: Aisha Williams replied STOP; another number complained (listed for 90 days).
INSERT INTO dnc_list (organization_id, phone, reason, source, added_by, created_at, expires_at)
VALUES
  (app_current_org(), '+13035550107', 'Replied STOP to an SMS', 'sms_stop', NULL,
   now() - interval '10 days', NULL),
  (app_current_org(), '+12065550199', 'Asked not to be called during a cold call',
   'complaint',
   (SELECT u.id FROM users u
    WHERE u.organization_id = app_current_org() AND u.email = 'agent2@leadline.demo'),
   now() - interval '5 days', now() + interval '90 days');

-- Nurture sequences.
INSERT INTO nurture_sequences (organization_id, name, description, steps, trigger_conditions,
                               channels, is_active, created_by)
VALUES
  (app_current_org(), 'New lead follow-up', 'First week after a lead arrives',
   '[{"day": 0, "channel": "sms", "template": "Hi {{first_name}}, thanks for reaching out! When is a good time to talk?"},
     {"day": 1, "channel": "call", "template": "intro_call_script"},
     {"day": 2, "channel": "email", "subject": "Homes that match what you asked for", "template": "Hi {{first_name}}, here are three listings picked for you."},
     {"day": 6, "channel": "sms", "template": "Still looking, {{first_name}}? Reply YES and I will send new listings."}]',
   '{"status": ["new"], "sources": ["google_ads", "facebook", "zillow", "website"]}',
   '{sms,call,email}', true,
   (SELECT u.id FROM users u
    WHERE u.organization_id = app_current_org() AND u.email = 'manager@leadline.demo')),
  (app_current_org(), 'Long-term nurture', 'Monthly touch for leads not ready to buy',
   '[{"day": 0, "channel": "email", "subject": "Your monthly market update", "template": "market_update"},
     {"day": 30, "channel": "email", "subject": "What changed in your neighborhood", "template": "neighborhood_report"},
     {"day": 60, "channel": "sms", "template": "Hi {{first_name}}, rates moved this month. Want a quick update?"}]',
   '{"status": ["nurturing"]}',
   '{email,sms}', true,
   (SELECT u.id FROM users u
    WHERE u.organization_id = app_current_org() AND u.email = 'manager@leadline.demo'));

INSERT INTO lead_sequence_enrollments (organization_id, lead_id, sequence_id, status,
                                       current_step, enrolled_at, next_step_at, completed_at,
                                       enrolled_by, execution_log)
SELECT app_current_org(), l.id, s.id, v.status, v.step, now() - v.enrolled_ago,
       now() + v.next_in, CASE WHEN v.status = 'cancelled' THEN now() - interval '10 days' END,
       app_current_user(), v.log::jsonb
FROM (VALUES
  ('+12065550101', 'New lead follow-up', 'active', 1, interval '2 days', interval '20 hours',
   '[{"step": 0, "channel": "sms", "status": "sent"}]'),
  ('+14155550104', 'Long-term nurture', 'active', 1, interval '15 days', interval '15 days',
   '[{"step": 0, "channel": "email", "status": "delivered"}]'),
  ('+13055550112', 'Long-term nurture', 'active', 2, interval '20 days', interval '2 hours',
   '[{"step": 0, "channel": "email", "status": "delivered"}, {"step": 1, "channel": "email", "status": "opened"}]'),
  ('+13035550107', 'New lead follow-up', 'cancelled', 2, interval '28 days', NULL,
   '[{"step": 0, "channel": "sms", "status": "sent"}, {"step": 1, "channel": "call", "status": "no_answer"}, {"step": 2, "channel": "sms", "status": "opted_out"}]')
) AS v(phone, sequence_name, status, step, enrolled_ago, next_in, log)
JOIN leads l ON l.organization_id = app_current_org() AND l.phone = v.phone
JOIN nurture_sequences s ON s.organization_id = app_current_org() AND s.name = v.sequence_name;

-- Saved segments.
INSERT INTO segments (organization_id, name, description, filter_criteria, is_public, created_by)
VALUES
  (app_current_org(), 'Hot leads', 'Score 70+ and not closed',
   '{"score_min": 70, "status": ["new", "contacted", "qualified", "appointment_set"]}', true,
   (SELECT u.id FROM users u
    WHERE u.organization_id = app_current_org() AND u.email = 'manager@leadline.demo')),
  (app_current_org(), 'Zillow relocations', NULL,
   '{"source": ["zillow"], "tags": ["relocation"]}', false,
   (SELECT u.id FROM users u
    WHERE u.organization_id = app_current_org() AND u.email = 'agent2@leadline.demo'));

-- What each source cost, this month and last (currency defaults to the organization's).
INSERT INTO lead_source_costs (organization_id, source, period_start, period_end, amount,
                               leads_purchased, notes, created_by)
SELECT app_current_org(), v.source, m.start::date,
       (m.start + interval '1 month' - interval '1 day')::date,
       v.amount * m.factor, v.leads_purchased, v.notes, app_current_user()
FROM (VALUES
  ('google_ads', 1250.00, 42, 'Search campaigns'),
  ('facebook', 640.00, 25, 'Lead forms'),
  ('zillow', 1800.00, 30, 'Premier Agent, two zip codes'),
  ('website', 120.00, NULL, 'Hosting and forms')
) AS v(source, amount, leads_purchased, notes)
CROSS JOIN (VALUES (date_trunc('month', now()), 1.0),
                   (date_trunc('month', now()) - interval '1 month', 0.9)) AS m(start, factor);

-- The ledger: a deposit, lead purchases and a refund. The trigger computes the balances.
INSERT INTO budget_transactions (organization_id, transaction_type, amount, lead_id, source,
                                 description, reference, created_by)
VALUES (app_current_org(), 'deposit', 2500.00, NULL, NULL, 'Monthly lead budget', 'DEP-1001',
        app_current_user());

INSERT INTO budget_transactions (organization_id, transaction_type, amount, lead_id, source,
                                 description, reference, created_by)
SELECT app_current_org(), v.kind, v.amount, l.id, l.source, v.description, v.reference,
       app_current_user()
FROM (VALUES
  (1, '+14155550104', 'lead_purchase', -60.00, 'Zillow lead', 'ZPA-448120'),
  (2, '+12065550108', 'lead_purchase', -60.00, 'Zillow lead', 'ZPA-451977'),
  (3, '+15125550111', 'lead_purchase', -60.00, 'Zillow lead', 'ZPA-450312'),
  (4, '+12065550101', 'lead_purchase', -29.75, 'Google Ads lead', 'GADS-77812'),
  (5, '+12065550108', 'refund', 60.00, 'Refund: number out of service for two weeks', 'ZPA-451977-R')
) AS v(seq, phone, kind, amount, description, reference)
JOIN leads l ON l.organization_id = app_current_org() AND l.phone = v.phone
ORDER BY v.seq;

INSERT INTO system_config (organization_id, key, value, description, updated_by)
VALUES
  (app_current_org(), 'calling_hours', '{"start": "08:00", "end": "21:00"}',
   'Local time window for calls and texts', app_current_user()),
  (app_current_org(), 'assignment.default_strategy', '"round_robin"',
   'Strategy for leads that match no rule', app_current_user());
