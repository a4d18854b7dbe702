package ru.otus.socialnet.system;

/** The API speaks snake_case; Java speaks camelCase. Error messages name fields as the client sent them. */
final class JsonNames {

    private JsonNames() {
    }

    static String of(String javaName) {
        StringBuilder out = new StringBuilder(javaName.length() + 4);
        for (char c : javaName.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
