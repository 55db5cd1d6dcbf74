<?php
/**
 * Installs tribune's WordPress test peer into an empty database and prints the
 * application password of its admin user on stdout (nothing else goes there).
 * Run by start.sh with the WordPress directory as working directory:
 *   php setup.php
 * with TRIBUNE_WP_URL, TRIBUNE_WP_DB_*, TRIBUNE_WP_USER, TRIBUNE_WP_PASSWORD set.
 * This is what `wp core install` + `wp user application-password create`
 * would do; WP-CLI is not available from the package registries.
 */
if (PHP_SAPI !== 'cli') {
    exit(1);
}
$user = getenv('TRIBUNE_WP_USER') ?: 'admin';
$password = getenv('TRIBUNE_WP_PASSWORD') ?: 'admin-password';
$url = parse_url(getenv('TRIBUNE_WP_URL') ?: 'http://127.0.0.1:8089');
// wp-load.php and friends look at these even from the command line.
$_SERVER['HTTP_HOST'] = $url['host'] . (isset($url['port']) ? ':' . $url['port'] : '');
$_SERVER['SERVER_NAME'] = $url['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

define('WP_INSTALLING', true);
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if (is_blog_installed()) {
    fwrite(STDERR, "setup.php: the database already holds a site\n");
    exit(1);
}
$result = wp_install('Tribune test peer', $user, $user . '@example.com', false, '', wp_slash($password), 'en_US');
$user_id = (int) $result['user_id'];

// Pretty permalinks (served through router.php); ?rest_route= works as well.
update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');
// Comments: open on new posts, no login needed, name + e-mail required,
// and held for moderation unless the author already has an approved comment
// (WordPress's defaults, stated here so that tests can rely on them).
update_option('default_comment_status', 'open');
update_option('comment_registration', 0);
update_option('require_name_email', 1);
update_option('comment_moderation', 0);
update_option('comment_previously_approved', 1);
update_option('close_comments_for_old_posts', 0);
update_option('timezone_string', 'UTC');
flush_rewrite_rules(false);

if (!wp_is_application_passwords_available()) {
    fwrite(STDERR, "setup.php: application passwords are not available (WP_ENVIRONMENT_TYPE?)\n");
    exit(1);
}
$created = WP_Application_Passwords::create_new_application_password($user_id, ['name' => 'tribune-tests']);
if (is_wp_error($created)) {
    fwrite(STDERR, 'setup.php: ' . $created->get_error_message() . "\n");
    exit(1);
}
// [0] is the plain password (24 chars, no spaces); WordPress accepts it with
// or without the spaces it shows in its admin screen.
echo $created[0], "\n";
