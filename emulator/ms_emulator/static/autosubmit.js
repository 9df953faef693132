// Submits the form_post response form without waiting for a click.
document.getElementById("response-form").submit();
