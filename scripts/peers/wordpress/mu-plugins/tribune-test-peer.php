<?php
/**
 * Plugin Name: tribune test peer
 * Description: Settings for tribune's connector tests (scripts/peers/). Must-use
 * plugin: always active, copied into wp-content/mu-plugins by start.sh.
 */

// Let tests post a visitor's comment over REST without logging in
// (POST /wp/v2/comments with author_name + author_email, no auth).
add_filter('rest_allow_anonymous_comments', '__return_true');

// No comment flood protection (one comment per 15 s per IP/e-mail): tests post
// several comments in a row from 127.0.0.1. Duplicate-content detection stays.
add_filter('comment_flood_filter', '__return_false', 99);
remove_action('check_comment_flood', 'check_comment_flood_db', 10);

// There is no mail transport on the test machine: drop mails (reported sent).
add_filter('pre_wp_mail', '__return_true');
