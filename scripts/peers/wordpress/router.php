<?php
/**
 * Router for PHP's built-in server (`php -S 127.0.0.1:8089 router.php`, run from
 * the WordPress directory): existing files and directories are handled by the
 * built-in server itself (static files sent, .php files run, a directory's
 * index.php used); every other path goes to WordPress's index.php, as Apache's
 * rewrite rules would do. This makes pretty permalinks and /wp-json/... work.
 */
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if ($path !== '/' && file_exists(__DIR__ . $path)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
require __DIR__ . '/index.php';
