// Imported images in unit tests: a URL-like string, as the build gives.
module.exports = 'asset.svg';
