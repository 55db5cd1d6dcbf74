<?php
/**
 * wp-config.php of tribune's local WordPress test peer (scripts/peers/).
 *
 * start.sh copies Debian's WordPress (/usr/share/wordpress) into the peers
 * cache and puts this file in place of Debian's wp-config.php, which would
 * otherwise want a config file under /etc/wordpress. Settings come from the
 * environment start.sh gives to `php -S` and to setup.php.
 */

define('DB_NAME', getenv('TRIBUNE_WP_DB_NAME') ?: 'tribune_peer_wp');
define('DB_USER', getenv('TRIBUNE_WP_DB_USER') ?: 'root');
define('DB_PASSWORD', getenv('TRIBUNE_WP_DB_PASSWORD') ?: '');
define('DB_HOST', getenv('TRIBUNE_WP_DB_HOST') ?: '127.0.0.1:3306');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';

$tribune_wp_url = rtrim(getenv('TRIBUNE_WP_URL') ?: 'http://127.0.0.1:8089', '/');
define('WP_HOME', $tribune_wp_url);
define('WP_SITEURL', $tribune_wp_url);

// Application passwords are only offered over https, or when the site says it
// is a local one.
define('WP_ENVIRONMENT_TYPE', 'local');

// Throwaway keys: the database is recreated at every start.
foreach (['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY',
          'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as $k) {
    define($k, 'tribune-test-peer-' . $k);
}

// No network from here: no update checks, no cron spawned over loopback HTTP
// (it would tie up the built-in server), no file edits from the admin.
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('DISALLOW_FILE_MODS', true);

define('WP_DEBUG', false);
define('WP_DEBUG_LOG', false);
define('WP_DEBUG_DISPLAY', false);

if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
