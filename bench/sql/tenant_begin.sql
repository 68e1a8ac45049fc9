BEGIN;
SELECT set_config('app.organization_id', :org, true), set_config('app.user_id', :uid, true),
       set_config('app.client_ip', '127.0.0.1', true), set_config('app.user_agent', 'pgbench', true),
       set_config('app.change_source', 'api', true), set_config('app.audit_action', '', true);
