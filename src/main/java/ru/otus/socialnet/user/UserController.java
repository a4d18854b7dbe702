package ru.otus.socialnet.user;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /user/register}, {@code /user/get/{id}} and {@code /user/search} of the OTUS spec v1.2.0. */
@RestController
public class UserController {

    private final UserService users;

    public UserController(UserService users) {
        this.users = users;
    }

    @PostMapping("/user/register")
    public Map<String, String> register(@Valid @RequestBody RegistrationRequest request,
                                        @RequestHeader(name = RegistrationKey.HEADER, required = false) String key) {
        return Map.of("user_id", Long.toString(users.register(request, RegistrationKey.fromHeader(key))));
    }

    @GetMapping("/user/get/{id}")
    public UserProfile get(@PathVariable String id) {
        return users.get(UserId.parse(id, "id"));
    }

    @GetMapping("/user/search")
    public List<UserProfile> search(
            @RequestParam("first_name") @NotBlank @Size(max = 100) String firstName,
            @RequestParam("last_name") @NotBlank @Size(max = 100) String lastName,
            @RequestParam(name = "limit", required = false) Integer limit) {
        return users.search(firstName, lastName, limit);
    }
}
